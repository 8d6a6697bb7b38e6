"""Contract and behaviour tests of NewsClassifier (sklearn's check_estimator skips text input)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from newscat import DataError, NewsClassifier, load_model

TEXTS = [
    "Bão số 3 gây mưa lớn ở Hà Nội",
    "Mưa lớn kéo dài, lũ quét ở miền núi",
    "Không khí lạnh tăng cường, trời rét",
    "Áp thấp nhiệt đới mạnh lên thành bão",
    "Công an bắt nghi phạm trộm xe máy",
    "Tòa tuyên án vụ lừa đảo chiếm đoạt tài sản",
    "Khởi tố đối tượng buôn bán ma túy",
    "Bắt giữ nhóm trộm cắp tài sản",
    "Công đoàn tặng quà Tết cho công nhân",
    "Liên đoàn Lao động thăm hỏi đoàn viên",
    "Công đoàn cơ sở ký thỏa ước lao động tập thể",
    "Mái ấm Công đoàn trao cho đoàn viên",
]
LABELS = ["weather"] * 4 + ["crime"] * 4 + ["union"] * 4


def small(**params):
    defaults = dict(segmenter="syllable", min_df=1, max_df=1.0, calibration_cv=2)
    return NewsClassifier(**{**defaults, **params})


@pytest.mark.parametrize("classifier", ["linearsvc", "nbsvm", "logreg", "sgd"])
def test_each_classifier_fits_and_scores(classifier):
    model = small(classifier=classifier)
    assert model.fit(TEXTS, LABELS) is model
    proba = model.predict_proba(["Bão gây mưa lớn", "Công an bắt trộm"])
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == ["crime", "union", "weather"]
    assert list(model.predict(["Bão gây mưa lớn"])) == [model.classes_[proba[0].argmax()]]


@pytest.mark.parametrize("classifier", ["linearsvc", "nbsvm", "logreg", "sgd"])
def test_class_weights_by_label_name_reach_the_linear_model(classifier):
    # the calibration hands the linear model label indices: names must be translated,
    # not ignored (nbsvm) or refused with scikit-learn's "classes [0, 1] are not in
    # class_weight" (linearsvc, sgd)
    text = ["Công an bắt trộm trong mưa bão ở công đoàn"]
    plain = small(classifier=classifier).fit(TEXTS, LABELS)
    heavy = small(classifier=classifier, class_weight={"crime": 20.0}).fit(TEXTS, LABELS)
    crime = list(plain.classes_).index("crime")
    others = [i for i in range(3) if i != crime]

    def lead(model):  # how far crime's decision value is ahead of the others'
        values = model.decision_function(text)[0]
        return values[crime] - values[others].max()

    assert lead(heavy) > lead(plain)


@pytest.mark.parametrize(
    ("class_weight", "message"),
    [
        ({"crimes": 2.0}, r"names 'crimes', which is not a label .*'crime', 'union', 'weather'"),
        ({"crime": 0.0}, "class_weight of 'crime' is 0.0; a weight must be a number above 0"),
        ({"crime": "2"}, "class_weight of 'crime' is '2'"),
    ],
)
def test_class_weights_naming_unknown_labels_or_not_positive_are_refused(class_weight, message):
    with pytest.raises(DataError, match=message):
        small(classifier="nbsvm", class_weight=class_weight).fit(TEXTS, LABELS)


def test_init_stores_params_unchanged_and_clone_keeps_them():
    model = small(C=0.3, ngram_range=(1, 3))
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert copy.set_params(C=2.0) is copy and copy.C == 2.0 and model.C == 0.3


def test_invalid_parameter_is_named_at_fit():
    with pytest.raises(ValueError, match="'classifier' parameter"):
        small(classifier="tree").fit(TEXTS, LABELS)


@pytest.mark.parametrize("ngram_range", [(2, 1), (0, 2), (1, 2, 3), (1, 2.0), (True, 2)])
def test_ngram_range_that_cannot_work_is_named_before_segmenting(ngram_range):
    # before: (2, 1) ended in "empty vocabulary", (0, 2) was taken as (1, 2), (1, 2, 3)
    # failed inside the analyzer with a TypeError
    with pytest.raises(ValueError, match=r"'ngram_range' .* 1 <= low <= high"):
        small(ngram_range=ngram_range).fit(TEXTS, LABELS)


def test_label_names_that_are_not_text_are_refused():
    with pytest.raises(DataError, match="the name of 'weather' must be text, got int 3"):
        small(label_names={"weather": 3}).fit(TEXTS, LABELS)
    # a label this fit lacks may be named: a fold of cross-validation, a search's subsample
    assert small(label_names={"events": "Sự kiện"}).fit(TEXTS, LABELS).classes_ is not None


def test_not_fitted_error():
    with pytest.raises(NotFittedError):
        small().predict(["Mưa"])


def test_pickle_round_trip_predicts_the_same():
    model = small().fit(TEXTS, LABELS)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_usable_in_grid_search():
    search = GridSearchCV(small(), {"C": [0.1, 1.0]}, cv=2, error_score="raise")
    search.fit(TEXTS, LABELS)
    assert search.best_params_["C"] in (0.1, 1.0)


def test_same_data_and_seed_give_same_scores():
    a = small(classifier="sgd").fit(TEXTS, LABELS).predict_proba(TEXTS)
    b = small(classifier="sgd").fit(TEXTS, LABELS).predict_proba(TEXTS)
    np.testing.assert_array_equal(a, b)


def test_classify_gives_label_name_score_top_k():
    model = small(label_names={"weather": "Thời tiết"}).fit(TEXTS, LABELS)
    result = model.classify("Bão số 3 gây mưa lớn ở Hà Nội", top_k=2)
    assert result.label == "weather" and result.name == "Thời tiết"
    assert len(result.top_k) == 2 and result.top_k[0] == ("weather", result.score)


def test_uncertain_when_top_score_below_threshold():
    model = small(classifier="logreg", min_score=0.95).fit(TEXTS, LABELS)
    result = model.classify("Bão số 3 gây mưa lớn")
    assert result.uncertain and "below" in result.reason


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_gives_documented_empty_result(text):
    model = small().fit(TEXTS, LABELS)
    result = model.classify(text)
    assert (result.label, result.score, result.uncertain, result.reason) == (
        None,
        0.0,
        True,
        "empty text",
    )
    assert list(model.predict(["Bão lớn", text])) == ["weather", None]
    assert model.predict_proba([text]).sum() == 0


def test_huge_text_is_labelled_from_its_beginning():
    model = small(max_chars=40).fit(TEXTS, LABELS)
    huge = "Bão số 3 gây mưa lớn ở Hà Nội. " + "Công an bắt nghi phạm trộm. " * 200_000
    assert len(huge) > 5_000_000
    assert model.classify(huge).label == "weather"
    np.testing.assert_array_equal(model.predict_proba([huge]), model.predict_proba([huge[:40]]))


def test_bare_string_is_refused_with_advice():
    model = small().fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match="string object received; pass a list"):
        model.predict("Bão số 3")


def test_non_string_item_is_named():
    with pytest.raises(TypeError, match=r"X\[1\]: expected str, got int"):
        small().fit(["a", 5], ["x", "y"])


def test_empty_dataset_refused():
    with pytest.raises(DataError, match="empty dataset"):
        small().fit([], [])


def test_one_label_refused():
    with pytest.raises(DataError, match="one label only \\('weather'\\)"):
        small().fit(TEXTS[:4], LABELS[:4])


def test_label_with_one_text_refused_for_calibrated_models():
    with pytest.raises(DataError, match="label 'rain' has one training text only"):
        small().fit(TEXTS + ["Mưa"], LABELS + ["rain"])


def test_length_mismatch_refused():
    with pytest.raises(DataError, match="12 texts but y has 11 labels"):
        small().fit(TEXTS, LABELS[:-1])


def test_empty_training_text_refused_with_index():
    with pytest.raises(DataError, match="first at index 2"):
        small().fit(TEXTS[:2] + [" "] + TEXTS[3:], LABELS)


def test_page_cleaning_applies_only_when_asked():
    model = small(clean_pages=True).fit(TEXTS, LABELS)
    article = "\n".join(TEXTS[:4])
    page = article + "\nTin khác\n" + "\n".join(TEXTS[4:8] * 3)
    assert model.classify(page).label == "weather"
    assert model.classify(page, clean=False).label == "crime"


def test_syllable_features_need_a_word_segmenter():
    with pytest.raises(ValueError, match="syllable_features=True needs a word segmenter"):
        small(syllable_features=True).fit(TEXTS, LABELS)


def test_syllable_features_add_syllable_terms():
    model = small(segmenter="dictionary", syllable_features=True).fit(TEXTS, LABELS)
    vocabulary = model.tfidf_.vocabulary_
    assert "công_đoàn" in vocabulary and "~công" in vocabulary and "~đoàn" in vocabulary


def test_title_weight_makes_the_headline_count_more():
    text = "Bão số 3 gây mưa lớn\nCông an bắt nghi phạm trộm xe máy, tòa xử vụ trộm"
    plain = small().fit(TEXTS, LABELS)
    weighted = small(title_weight=2).fit(TEXTS, LABELS)
    weather = list(plain.classes_).index("weather")
    assert weighted.predict_proba([text])[0][weather] > plain.predict_proba([text])[0][weather]


def test_decision_function_ranks_labels_as_predict_does(small_model_dir, labor5_rows):
    model = load_model(small_model_dir)
    texts = [row["text"] for row in labor5_rows[:200]] + ["   "]
    scores = model.decision_function(texts)
    assert scores.shape == (len(texts), len(model.classes_))
    predicted = model.predict(texts)
    assert list(model.classes_[scores[:-1].argmax(axis=1)]) == list(predicted[:-1])
    assert not scores[-1].any() and predicted[-1] is None


def test_tags_declare_text_input():
    tags = NewsClassifier().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
