"""NBSVM: LinearSVCs over log-count-ratio weighted features, folded into one linear model."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from newscat import NewsClassifier, load_model, save_model
from newscat.classifier.nbsvm import NBSVMClassifier, log_count_ratios
from newscat.classifier.word_vectors import learn_word_vectors
from newscat.segmenters.registry import segment_texts
from newscat.text.normalize import normalize_text


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    sparse = sp.random(120, 40, density=0.15, random_state=0, format="csr", dtype=np.float64)
    dense = rng.normal(size=(120, 3))
    X = sp.hstack([sparse, sp.csr_matrix(dense)]).tocsr()
    y = np.array(["a", "b", "c"])[(sparse[:, :3].toarray().argmax(axis=1) + (dense[:, 0] > 1)) % 3]
    return X, y


def test_decision_is_the_binary_svms_on_weighted_columns(data):
    X, y = data
    model = NBSVMClassifier(2.0, class_weight="balanced", ratio_power=0.5, unweighted_tail=3)
    scores = model.fit(X, y).decision_function(X)
    present = (X[:, :40] != 0).astype(np.int8)
    for j, label in enumerate(model.classes_):
        ratios = log_count_ratios(present, y == label, 1.0)
        scale = np.concatenate([np.sign(ratios) * np.sqrt(np.abs(ratios)), np.ones(3)])
        svm = LinearSVC(C=2.0, class_weight="balanced").fit(X @ sp.diags(scale), y == label)
        np.testing.assert_allclose(scores[:, j], svm.decision_function(X @ sp.diags(scale)))
    assert list(model.predict(X)) == list(model.classes_[scores.argmax(axis=1)])


def test_power_zero_is_one_plain_svm_per_label(data):
    X, y = data
    model = NBSVMClassifier(ratio_power=0.0).fit(X, y)
    for j, label in enumerate(model.classes_):
        plain = LinearSVC().fit(X, y == label)
        np.testing.assert_allclose(model.coef_[j], plain.coef_[0])


def test_weighting_changes_the_model(data):
    X, y = data
    weighted, plain = (NBSVMClassifier(ratio_power=p).fit(X, y) for p in (1.0, 0.0))
    assert not np.allclose(weighted.coef_, plain.coef_)


def test_two_labels_give_one_decision_column(data):
    X, y = data
    binary = np.where(y == "a", "a", "rest")
    model = NBSVMClassifier().fit(X, binary)
    assert model.coef_.shape == (1, X.shape[1]) and model.decision_function(X).shape == (120,)
    assert set(model.predict(X)) <= {"a", "rest"}


def test_class_weights_by_label_are_used(data):
    X, y = data
    even = NBSVMClassifier(class_weight={"a": 1.0}).fit(X, y)
    heavy = NBSVMClassifier(class_weight={"a": 20.0}).fit(X, y)
    assert (heavy.predict(X) == "a").sum() > (even.predict(X) == "a").sum()


def test_tail_longer_than_the_columns_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="unweighted_tail=50 is more than the 43 columns"):
        NBSVMClassifier(unweighted_tail=50).fit(X, y)


def test_news_classifier_with_nbsvm_and_vectors_round_trips(tmp_path, labor5_rows):
    rows = [r for r in labor5_rows if r["label"] in ("weather", "crime", "other")][:300]
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    segmented = segment_texts([normalize_text(t) for t in texts], "syllable", cache_dir=False)
    vectors = learn_word_vectors(segmented, dim=8)
    model = NewsClassifier(segmenter="syllable", classifier="nbsvm", word_vectors=vectors)
    model.fit(texts, labels)
    svm = model.pipeline_.named_steps["model"].calibrated_classifiers_[0].estimator
    assert isinstance(svm, NBSVMClassifier) and svm.unweighted_tail == 8
    again = load_model(save_model(model, tmp_path / "m"))
    assert again.classifier == "nbsvm" and again.ratio_power == 0.3
    np.testing.assert_array_equal(again.predict_proba(texts[:50]), model.predict_proba(texts[:50]))
    explanation = again.explain(texts[0])
    assert explanation.labels[0].label == again.predict(texts[:1])[0]
