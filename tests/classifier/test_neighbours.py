"""Neighbour votes: nearest training texts by article vector, scored, explained and saved."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from newscat import ModelError, NewsClassifier, load_model, save_model
from newscat.classifier.explanation import decision_model, explain_many, linear_model
from newscat.classifier.neighbours import NeighbourVotes
from newscat.classifier.word_vectors import WordVectors

WORDS = ["mưa", "bão", "lũ", "trộm", "cướp", "bắt", "lễ", "hội"]
# weather words point one way, crime words another, event words a third
DIRECTIONS = [(127, 0, 0)] * 3 + [(0, 127, 0)] * 3 + [(0, 0, 127)] * 2
TEXTS = ["mưa bão lớn", "lũ về nhanh", "bắt kẻ trộm", "cướp xe máy", "lễ hội lớn", "hội làng"] * 3
LABELS = ["weather", "weather", "crime", "crime", "events", "events"] * 3
QUERIES = ["trời mưa lũ", "kẻ cướp bị bắt", "lễ hội hoa", "không rõ gì", "mưa và trộm"]


def _vectors() -> WordVectors:
    vectors = np.array(DIRECTIONS, dtype=np.int8)
    return WordVectors(WORDS, vectors, np.ones(len(WORDS), dtype=np.float32))


def _model(**params) -> NewsClassifier:
    settings = dict(segmenter="syllable", classifier="nbsvm", min_df=1, max_df=1.0)
    settings |= dict(calibration_cv=2, word_vectors=_vectors(), neighbours=3) | params
    return NewsClassifier(**settings).fit(TEXTS, LABELS)


def test_votes_are_similarity_weighted_label_shares_of_the_nearest_texts():
    X = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]])
    model = NeighbourVotes(LinearSVC(), n_neighbors=2, weight=1.0, dim=2)
    model = model.fit(np.hstack([np.eye(4), X]), ["a", "a", "b", "b"])
    assert model.memory_.dtype == np.int8 and model.memory_.tolist()[1] == [102, 76]
    votes = model.votes(np.array([[0, 0, 0, 0, 0.6, 0.8], [0, 0, 0, 0, 0, 0]]))
    # nearest to (0.6, 0.8): (0, 1) "b" at 0.8 and (0.8, 0.6) "a" at 0.96
    np.testing.assert_allclose(votes[0], [0.96 / 1.76, 0.8 / 1.76], atol=0.01)
    assert votes[1].tolist() == [0.0, 0.0]  # similar to nothing: no votes
    everyone = NeighbourVotes(LinearSVC(), n_neighbors=10, weight=1.0, dim=2)
    everyone = everyone.fit(np.hstack([np.eye(4), X]), ["a", "a", "b", "b"])
    # all four vote, the opposite one (similarity below 0) not at all
    np.testing.assert_allclose(everyone.votes(np.array([[0, 0, 0, 0, 1.0, 0]]))[0], [1.8 / 1.8, 0])


def test_votes_join_the_decision_values_and_the_calibrated_scores():
    model = _model()
    scored = decision_model(model.pipeline_.named_steps["model"])
    assert isinstance(scored, NeighbourVotes) and scored.memory_.shape == (len(TEXTS), 3)
    segmented = model._clean_normalise_segment(QUERIES, None)
    X = model.pipeline_.steps[0][1].transform(segmented)
    linear = linear_model(model.pipeline_.named_steps["model"]).decision_function(X)
    votes = scored.votes(X)
    assert votes[:3].argmax(axis=1).tolist() == [2, 0, 1]  # weather, crime, events
    np.testing.assert_allclose(model.decision_function(QUERIES), linear + 0.5 * votes, atol=1e-6)
    fast = model._proba(segmented)
    np.testing.assert_allclose(fast, model.pipeline_.predict_proba(segmented), rtol=0, atol=1e-12)
    without = _model(neighbours=0)
    assert not np.allclose(without.predict_proba(QUERIES), model.predict_proba(QUERIES))


def test_two_labels_add_the_difference_of_the_votes():
    texts, labels = TEXTS[:4] * 3, LABELS[:4] * 3
    model = NewsClassifier(
        segmenter="syllable",
        classifier="linearsvc",
        min_df=1,
        max_df=1.0,
        calibration_cv=2,
        word_vectors=_vectors(),
        neighbours=2,
        neighbour_weight=1.0,
    ).fit(texts, labels)
    segmented = model._clean_normalise_segment(QUERIES, None)
    X = model.pipeline_.steps[0][1].transform(segmented)
    scored = decision_model(model.pipeline_.named_steps["model"])
    votes = scored.votes(X)
    linear = linear_model(model.pipeline_.named_steps["model"]).decision_function(X)
    np.testing.assert_allclose(
        model.decision_function(QUERIES), linear + votes[:, 1] - votes[:, 0], atol=1e-6
    )
    np.testing.assert_allclose(
        model._proba(segmented), model.pipeline_.predict_proba(segmented), rtol=0, atol=1e-12
    )


def test_explanations_show_the_votes_and_still_add_up():
    model = _model()
    decision = model.decision_function(QUERIES)
    classes = list(model.classes_)
    explanations = explain_many(model, QUERIES, top=3)
    for row, explanation in zip(decision, explanations):
        for explained in explanation.labels:
            total = sum(t.contribution for t in explained.terms) + explained.intercept
            assert np.isclose(total, row[classes.index(explained.label)], atol=1e-5)
    votes = [t for t in explanations[0].labels[0].terms if t.kind == "neighbours"]
    assert len(votes) == 1 and votes[0].term == "3 most similar training texts"
    assert votes[0].coefficient == 0.5 and 0 < votes[0].value <= 1


@pytest.mark.parametrize(
    "params",
    [{"word_vectors": None}, {"classifier": "logreg"}],
    ids=["without word vectors", "logistic regression"],
)
def test_votes_need_word_vectors_and_a_calibrated_classifier(params):
    with pytest.raises(ValueError, match="neighbours > 0 needs word_vectors"):
        _model(**params)


def test_saved_and_loaded_model_votes_alike(tmp_path):
    model = _model()
    folder = save_model(model, tmp_path / "m")
    again = load_model(folder)
    np.testing.assert_array_equal(again.predict_proba(QUERIES), model.predict_proba(QUERIES))
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["neighbours"] == {"texts": len(TEXTS), "dimensions": 3}
    assert meta["params"]["neighbours"] == 3
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "neighbour votes: the article vectors of the 18 training texts" in card


def test_a_model_whose_votes_do_not_match_its_metadata_is_refused(tmp_path, rehash):
    model = _model()
    folder = save_model(model, tmp_path / "m")
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["neighbours"]["texts"] = 5
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    rehash(folder)
    shape = r"memory_: expected int8 article vectors of shape \(5, 3\)"
    with pytest.raises(ModelError, match=shape):
        load_model(folder)
    del meta["neighbours"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    rehash(folder)
    unrecorded = "the model has neighbour votes, metadata.json records none"
    with pytest.raises(ModelError, match=unrecorded):
        load_model(folder)


def test_remembered_labels_out_of_range_are_refused(tmp_path):
    model = _model()
    decision_model(model.pipeline_.named_steps["model"]).memory_labels_[0] = 7
    folder = save_model(model, tmp_path / "m")
    with pytest.raises(ModelError, match="memory_labels_: expected 18 label numbers from 0 to 2"):
        load_model(folder)


def test_many_texts_are_compared_a_slice_at_a_time_with_the_same_votes(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    labels = rng.choice(["a", "b", "c"], size=300)
    model = NeighbourVotes(LinearSVC(), n_neighbors=4, weight=1.0, dim=3).fit(X, labels)
    queries = rng.normal(size=(50, 5))
    whole = model.votes(queries)
    monkeypatch.setattr("newscat.classifier.neighbours._SLICE_CELLS", 7 * 300)  # 7 rows a slice
    np.testing.assert_array_equal(model.votes(queries), whole)
    assert model.votes(queries[:0]).shape == (0, 3)


@pytest.mark.parametrize("params", [{"weight": 0.0}, {"n_neighbors": 0}, {"dim": 9}])
def test_unusable_settings_are_refused_when_fitting(params):
    X = np.eye(4)
    with pytest.raises(ValueError, match="weight|n_neighbors|dim=9"):
        NeighbourVotes(LinearSVC(), **{"n_neighbors": 1, "dim": 2, **params}).fit(X, list("abab"))
