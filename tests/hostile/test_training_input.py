"""Training and prediction input that is not a list of texts with string labels, and
text that is not what the model knows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from newscat import DataError, NewsClassifier, load
from newscat.classifier.domain import FEW_KNOWN_TERMS, NOT_VIETNAMESE

TEXTS = ["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 3
LABELS = ["weather", "weather", "crime", "crime"] * 3


def _model() -> NewsClassifier:
    return NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)


@pytest.fixture(scope="module")
def fitted() -> NewsClassifier:
    return _model().fit(TEXTS, LABELS)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, r"y\[5\]: the label is missing \(None\)"),
        (float("nan"), r"y\[5\]: the label is missing \(nan\)"),
        (np.nan, r"y\[5\]: the label is missing \(nan\)"),
        (3, r"y\[5\]: labels must be str .* got int 3"),
        (b"crime", r"y\[5\]: labels must be str .* got bytes"),
        ("  ", r"y\[5\]: the label is empty"),
    ],
)
def test_a_bad_label_is_refused_with_its_row(bad, message):
    labels = list(LABELS)
    labels[5] = bad
    with pytest.raises(DataError, match=message):
        _model().fit(TEXTS, labels)


def test_missing_labels_in_a_series_are_refused():
    labels = pd.Series(LABELS, dtype=object)
    labels[7] = None
    with pytest.raises(DataError, match=r"y\[7\]: the label is missing"):
        _model().fit(TEXTS, labels)


def test_numeric_labels_are_refused():
    with pytest.raises(DataError, match=r"y\[0\]: labels must be str .* got int"):
        _model().fit(TEXTS, [0, 0, 1, 1] * 3)
    with pytest.raises(DataError, match=r"y\[0\]: labels must be str .* got int64"):
        _model().fit(TEXTS, np.array([0, 0, 1, 1] * 3))


def test_labels_as_a_series_of_str_work():
    model = _model().fit(pd.Series(TEXTS), pd.Series(LABELS))
    assert list(model.classes_) == ["crime", "weather"]


def test_2d_labels_are_refused():
    with pytest.raises(TypeError, match="y: expected a 1-D list or Series of labels, got 2-D"):
        _model().fit(TEXTS, np.array(LABELS).reshape(-1, 1))


def _frames():
    frame = pd.DataFrame({"text": TEXTS, "source": ["a"] * len(TEXTS)})
    return {
        "DataFrame of 1 column": frame[["text"]],
        "DataFrame of 2 columns": frame,
        "2-D array": np.array(TEXTS, dtype=object).reshape(-1, 1),
    }


@pytest.mark.parametrize("kind", sorted(_frames()))
def test_a_2d_x_is_refused_in_fit(kind):
    with pytest.raises(TypeError, match=r"X: expected a 1-D list or Series of texts, got a 2-D"):
        _model().fit(_frames()[kind], LABELS)


@pytest.mark.parametrize("kind", sorted(_frames()))
@pytest.mark.parametrize("method", ["predict", "predict_proba", "classify_many"])
def test_a_2d_x_is_refused_in_prediction(fitted, kind, method):
    with pytest.raises(TypeError, match=r"expected a 1-D list or Series of texts.*df\["):
        getattr(fitted, method)(_frames()[kind])


def test_one_column_of_a_dataframe_works(fitted):
    frame = pd.DataFrame({"text": TEXTS})
    assert len(fitted.predict(frame["text"])) == len(TEXTS)


# ------------------------------------------------------------- out of domain
OUT_OF_DOMAIN = {
    "gibberish": ("asdkjh qwelkj zxcmnb poiuy lkjhg", NOT_VIETNAMESE),
    "emoji": ("😀😂🎉🔥👍 🎉🎉", NOT_VIETNAMESE),
    "Chinese": ("台风山竹登陆广东，造成严重损失。", NOT_VIETNAMESE),
    "English": (
        "Police in Hanoi arrested two men suspected of stealing motorbikes on Monday.",
        NOT_VIETNAMESE,
    ),
    "Russian": ("Шторм обрушился на побережье", NOT_VIETNAMESE),
    "Vietnamese letters, no words": ("ắđĩũờ ịấẫ ộựữ ằẳẹ ỡỗổ ửữự", FEW_KNOWN_TERMS),
}


@pytest.mark.parametrize("case", sorted(OUT_OF_DOMAIN))
def test_text_the_shipped_model_cannot_judge_is_flagged(case):
    text, reason = OUT_OF_DOMAIN[case]
    result = load().classify(text)
    assert result.uncertain and result.reason == reason
    assert result.label is not None  # still labelled: the flag says not to trust it


def test_vietnamese_news_is_not_flagged_out_of_domain():
    result = load().classify("Bão số 3 gây mưa lớn ở Hà Nội, nhiều tuyến phố ngập sâu")
    assert result.reason not in (NOT_VIETNAMESE, FEW_KNOWN_TERMS)
    assert result.label == "weather" and not result.uncertain


def test_real_articles_are_almost_never_flagged_out_of_domain(labor5_rows):
    results = load().classify_many([row["text"] for row in labor5_rows])
    flagged = [r for r in results if r.reason in (NOT_VIETNAMESE, FEW_KNOWN_TERMS)]
    assert len(flagged) / len(results) < 0.005
