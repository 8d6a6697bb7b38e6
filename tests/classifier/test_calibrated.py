"""Calibrated scores computed directly equal scikit-learn's predict_proba."""

from __future__ import annotations

import json
from itertools import islice

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

import newscat
from newscat.classifier.calibrated import calibrated_scores
from newscat.classifier.estimator import NewsClassifier

TEXTS = ["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm", "công_đoàn tặng quà"] * 3


def test_shipped_model_scores_equal_scikit_learns_exactly(shared_data):
    with (shared_data / "labor5" / "recent.jsonl").open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in islice(f, 200)]
    model = newscat.load()
    segmented = model._clean_normalise_segment(texts, None)
    expected = model.pipeline_.predict_proba(segmented)
    assert len(set(expected.argmax(axis=1))) > 3
    np.testing.assert_array_equal(model._proba(segmented), expected)
    for text in segmented[:5]:  # one at a time, as one article is labelled
        np.testing.assert_array_equal(model._proba([text]), model.pipeline_.predict_proba([text]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # sgd, tiny data
@pytest.mark.parametrize("labels", [["weather", "crime", "union"], ["weather", "crime"]])
@pytest.mark.parametrize("classifier", ["linearsvc", "nbsvm", "sgd"])
def test_temperature_scaled_models_score_as_scikit_learn(classifier, labels):
    y = [labels[i % len(labels)] for i in range(len(TEXTS))]
    model = NewsClassifier("syllable", classifier, min_df=1, max_df=1.0, calibration_cv=2)
    model = model.fit(TEXTS, y)
    segmented = model._clean_normalise_segment(TEXTS + ["mưa trộm"], None)
    scores = model._proba(segmented)
    assert scores.shape == (len(segmented), len(labels))
    np.testing.assert_allclose(scores, model.pipeline_.predict_proba(segmented), rtol=0, atol=1e-12)


def test_other_models_take_their_own_predict_proba():
    X, y = np.array([[0.0, 1], [1, 0], [1, 1], [0, 0]] * 3), [0, 1, 1, 0] * 3
    logreg = LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(calibrated_scores(logreg, X), logreg.predict_proba(X))
    sigmoid = CalibratedClassifierCV(LinearSVC(), method="sigmoid", cv=2).fit(X, y)
    np.testing.assert_array_equal(calibrated_scores(sigmoid, X), sigmoid.predict_proba(X))
