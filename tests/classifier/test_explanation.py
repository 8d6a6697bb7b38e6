"""Explanations: contributions plus intercept are the decision value, terms are readable."""

import json

import numpy as np
import pytest

import newscat
from newscat import DataError, NewsClassifier
from newscat.classifier.explanation import explain_many
from newscat.cli import main

ARTICLES = [
    "Bão số 3 đổ bộ vào Quảng Ninh, mưa lớn kéo dài gây ngập lụt nhiều nơi",
    "Công nhân bị tai nạn lao động khi làm việc trên giàn giáo ở công trường",
    "Công an bắt giữ nghi phạm trộm cắp tài sản tại chợ Đồng Xuân",
    "Công đoàn tặng quà Tết cho người lao động có hoàn cảnh khó khăn",
    "Lễ hội pháo hoa quốc tế khai mạc tại Đà Nẵng",
]


def _check_exact(model, texts, explanations):
    decision = model.decision_function(texts)
    if decision.ndim == 1:  # binary: the score of classes_[1]; classes_[0] gets its negative
        decision = np.column_stack([-decision, decision])
    classes = list(model.classes_)
    checked = 0
    for row, explanation in zip(decision, explanations):
        for explained in explanation.labels:
            expected = row[classes.index(explained.label)]
            total = sum(t.contribution for t in explained.terms) + explained.intercept
            shown = explained.raised + explained.lowered
            parts = sum(t.contribution for t in shown) + explained.other + explained.intercept
            assert np.isclose(total, expected, rtol=1e-5, atol=1e-5), (explained.label, total)
            assert np.isclose(parts, expected, rtol=1e-5, atol=1e-5)
            assert np.isclose(explained.decision, expected, rtol=1e-6, atol=1e-6)
            for term in explained.terms:
                assert np.isclose(term.value * term.coefficient, term.contribution)
            checked += 1
    return checked


def test_shipped_model_explanations_add_up_to_the_decision_value():
    model = newscat.load()  # TF-IDF of words and syllables, word vectors, neighbour votes
    explanations = explain_many(model, ARTICLES, top=5)
    assert _check_exact(model, ARTICLES, explanations) == 2 * len(ARTICLES)
    kinds = {t.kind for e in explanations for label in e.labels for t in label.terms}
    assert kinds == {"words", "syllables", "word vector", "neighbours"}
    # the word vectors contribute, so leaving them out would not add up
    first = explanations[0].labels[0]
    without = sum(t.contribution for t in first.terms if t.kind != "word vector")
    assert not np.isclose(without + first.intercept, first.decision, atol=1e-3)


def test_explained_labels_are_the_prediction_and_the_runner_up():
    model = newscat.load()
    for text in ARTICLES:
        explanation = model.explain(text, top=3)
        result = model.classify(text)
        assert explanation.prediction == result
        assert [e.label for e in explanation.labels] == [label for label, _ in result.top_k[:2]]
        predicted, runner_up = explanation.labels
        assert predicted.decision > runner_up.decision


def test_terms_are_readable_sorted_and_limited_to_top():
    model = newscat.load()
    explained = model.explain(ARTICLES[1], top=4).labels[0]
    assert len(explained.raised) == 4 and len(explained.lowered) <= 4
    raised = [t.contribution for t in explained.raised]
    assert raised == sorted(raised, reverse=True) and raised[-1] > 0
    assert all(t.contribution < 0 for t in explained.lowered)
    terms = {t.term for t in explained.terms}
    assert not any("_" in term or term.startswith("~") for term in terms)
    assert "công nhân" in terms  # a compound word, written with a space
    # the smallest raised term beats every raising term left out
    left_out = [t for t in explained.terms if t.contribution > 0 and t not in explained.raised]
    assert all(t.contribution <= raised[-1] for t in left_out)


def test_binary_logreg_model_without_word_vectors_is_exact():
    texts = ["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm", "mưa to", "trộm xe"] * 3
    labels = ["weather", "weather", "crime", "crime", "weather", "crime"] * 3
    model = NewsClassifier(segmenter="syllable", classifier="logreg", min_df=1)
    model.fit(texts, labels)
    queries = ["trời mưa bão to", "kẻ trộm xe bị bắt", "bão và trộm"]
    explanations = explain_many(model, queries, top=2)
    assert _check_exact(model, queries, explanations) == 6
    asked = model.explain("trời mưa", labels=["crime"])
    assert [e.label for e in asked.labels] == ["crime"]
    assert asked.labels[0].decision < 0


def test_a_refitted_model_is_explained_with_its_new_terms():
    model = NewsClassifier(segmenter="syllable", classifier="logreg", ngram_range=(1, 1), min_df=1)
    model.fit(["mưa bão lớn", "bắt kẻ trộm"] * 3, ["weather", "crime"] * 3)
    assert {t.term for e in model.explain("mưa bão").labels for t in e.terms} <= {"mưa", "bão"}
    model.fit(["nắng nóng gắt", "cướp xe máy"] * 3, ["weather", "crime"] * 3)
    queries = ["nắng nóng", "cướp xe"]
    explanations = explain_many(model, queries, top=2)
    assert _check_exact(model, queries, explanations) == 4
    assert {t.term for e in explanations[0].labels for t in e.terms} == {"nắng", "nóng"}


def test_unknown_label_empty_text_and_bad_top_are_refused():
    model = newscat.load()
    with pytest.raises(DataError, match="unknown label 'sport'"):
        model.explain(ARTICLES[0], labels=["sport"])
    with pytest.raises(DataError, match="empty text"):
        model.explain("   ")
    with pytest.raises(ValueError, match="top must be an integer of at least 1"):
        model.explain(ARTICLES[0], top=0)
    assert explain_many(model, ["", ARTICLES[0]])[0] is None


def test_explain_command_json_and_text(capsys):
    assert main(["explain", "--json", "--top", "3", ARTICLES[0]]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["label"] == "weather"
    predicted = out["explanations"][0]
    assert len(predicted["raised"]) == 3
    parts = [t["contribution"] for t in predicted["raised"] + predicted["lowered"]]
    total = sum(parts) + predicted["other"] + predicted["intercept"]
    assert abs(total - predicted["decision"]) < 1e-4
    assert main(["explain", "--top", "2", ARTICLES[2]]) == 0
    text = capsys.readouterr().out
    assert text.startswith("crime (") and "raised:" in text and "lowered:" in text
    assert main(["explain", "   "]) == 1
    assert "empty text" in capsys.readouterr().err
