"""Word vectors from unlabelled text, the models that use them, and how they are saved."""

import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone

from newscat import DataError, ModelError, NewsClassifier, load_model, save_model
from newscat.classifier import word_vectors
from newscat.classifier.word_vectors import MAX_WINDOW, WordVectors, learn_word_vectors
from newscat.segmenters.registry import segment_texts
from newscat.text.normalize import normalize_text
from newscat.training import train
from newscat.training.train import SegmentedPool, load_recipe, pool_word_vectors, train_model

STORM = ["bão số 3 gây mưa lớn", "mưa lớn do bão kéo dài", "áp thấp mạnh lên thành bão"]
THEFT = ["kẻ trộm đột nhập nhà dân", "công an bắt kẻ trộm xe", "trộm cắp tài sản bị bắt"]


@pytest.fixture(scope="module")
def rows(labor5_rows):
    return [r for r in labor5_rows if r["label"] in ("weather", "crime", "other")][:300]


@pytest.fixture(scope="module")
def vectors(rows):
    texts = [normalize_text(r["text"]) for r in rows]
    return learn_word_vectors(segment_texts(texts, "syllable", cache_dir=False), dim=16)


def test_vectors_are_reproducible_and_group_words_by_context():
    texts = (STORM + THEFT) * 20
    first, second = (
        learn_word_vectors(texts, dim=3, min_count=5),
        learn_word_vectors(texts, dim=3, min_count=5),
    )
    assert first.terms == second.terms
    np.testing.assert_array_equal(first.vectors, second.vectors)
    assert first.vectors.dtype == np.int8
    rows = first.transform(["bão mưa", "mưa lớn", "kẻ trộm"])
    assert rows[0] @ rows[1] > rows[0] @ rows[2]
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)


def test_too_little_text_for_the_dimensions_is_refused():
    with pytest.raises(ValueError, match="too few for 50 dimensions"):
        learn_word_vectors(STORM, dim=50, min_count=1)


def cooccurrence_by_definition(texts: list[str], index: dict[str, int], window: int):
    """1/distance for each ordered pair of known words at most ``window`` apart in a text
    (unknown words removed first), both ways; and the number of texts holding each word."""
    counts = np.zeros((len(index), len(index)))
    in_texts = np.zeros(len(index), dtype=np.int64)
    for text in texts:
        ids = [index[token] for token in text.lower().split() if token in index]
        for i, left in enumerate(ids):
            for j in range(i + 1, min(i + window + 1, len(ids))):
                counts[left, ids[j]] += 1 / (j - i)
                counts[ids[j], left] += 1 / (j - i)
        in_texts[sorted(set(ids))] += 1
    return counts, in_texts


@pytest.mark.parametrize("slice_tokens", [1, 7, 10**9])
def test_pool_counts_match_the_definition_however_the_pool_is_sliced(monkeypatch, slice_tokens):
    rng = np.random.default_rng(0)
    words = ["bão", "mưa", "lũ", "Trộm", "bắt", "xe", "lạ", "khác"]
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 30))) for _ in range(200)]
    index = {word: i for i, word in enumerate(["bão", "mưa", "lũ", "trộm", "bắt", "xe"])}
    monkeypatch.setattr(word_vectors, "_SLICE_TOKENS", slice_tokens)
    for window in (1, 5, 7):
        counts, in_texts = word_vectors._count_pool(texts, index, window)
        expected_counts, expected_in_texts = cooccurrence_by_definition(texts, index, window)
        np.testing.assert_allclose(counts.toarray(), expected_counts, rtol=1e-12)
        np.testing.assert_array_equal(in_texts, expected_in_texts)


def test_pool_counts_are_exactly_the_same_in_slices_or_whole(monkeypatch):
    texts = [" ".join(STORM + THEFT)[i:] for i in range(0, 200, 3)]
    index = {word: i for i, word in enumerate(sorted(set(" ".join(texts).split())))}
    whole = word_vectors._count_pool(texts, index, 5)[0]
    monkeypatch.setattr(word_vectors, "_SLICE_TOKENS", 13)
    sliced = word_vectors._count_pool(texts, index, 5)[0]
    assert (whole != sliced).nnz == 0


@pytest.mark.parametrize("window", [0, MAX_WINDOW + 1, 2.5, True])
def test_a_window_outside_what_is_counted_exactly_is_refused(window):
    with pytest.raises(ValueError, match=f"window must be a whole number from 1 to {MAX_WINDOW}"):
        learn_word_vectors((STORM + THEFT) * 20, dim=3, window=window)


@pytest.mark.parametrize("setting", [{"dim": 0}, {"min_count": "5"}, {"window": 21}])
def test_a_recipe_with_unusable_vector_settings_is_refused_before_any_work(tmp_path, setting):
    recipe = tmp_path / "recipe.json"
    vectors = {"pools": [{"path": "pool.jsonl"}], **setting}
    recipe.write_text(json.dumps({"data": [{"path": "a.jsonl"}], "word_vectors": vectors}))
    name = next(iter(setting))
    with pytest.raises(DataError, match=rf"recipe\.json: word vectors: {name} must be a whole"):
        load_recipe(recipe)


def test_vectors_round_trip_with_identical_scores(tmp_path, rows, vectors):
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    model = NewsClassifier(segmenter="syllable", word_vectors=vectors)
    model.fit(texts, labels)
    assert model.pipeline_.named_steps["model"].n_features_in_ == len(model.tfidf_.idf_) + 16
    folder = save_model(model, tmp_path / "m")
    assert (folder / "word_vectors.txt.gz").exists()
    again = load_model(folder)
    assert again.word_vectors.terms == vectors.terms
    np.testing.assert_array_equal(again.predict_proba(texts[:60]), model.predict_proba(texts[:60]))
    recorded = again.metadata_["word_vectors"]
    assert (recorded["terms"], recorded["dimensions"]) == (len(vectors), 16)
    assert "word vectors: " in (folder / "README.md").read_text(encoding="utf-8")


def test_vectors_change_the_scores(rows, vectors):
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    plain = NewsClassifier(segmenter="syllable")
    with_vectors = clone(plain).set_params(word_vectors=vectors)
    probas = [m.fit(texts, labels).predict_proba(texts[:20]) for m in (plain, with_vectors)]
    assert not np.allclose(probas[0], probas[1])


def test_a_model_without_vectors_still_loads(tmp_path, rows):
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    model = NewsClassifier(segmenter="syllable").fit(texts, labels)
    folder = save_model(model, tmp_path / "plain")
    assert not (folder / "word_vectors.txt.gz").exists()
    again = load_model(folder)
    assert again.word_vectors is None
    np.testing.assert_array_equal(again.predict_proba(texts[:30]), model.predict_proba(texts[:30]))


def test_missing_or_mismatched_word_list_is_named(tmp_path, rows, vectors):
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    model = NewsClassifier(segmenter="syllable", word_vectors=vectors)
    folder = save_model(model.fit(texts, labels), tmp_path / "m")
    with gzip.open(folder / "word_vectors.txt.gz", "wt", encoding="utf-8") as f:
        f.write("một\nhai\n")
    with pytest.raises(ModelError, match=r"word_vectors\.txt\.gz has 2 terms; metadata"):
        load_model(folder)
    (folder / "word_vectors.txt.gz").unlink()
    with pytest.raises(ModelError, match="word_vectors.txt.gz is missing"):
        load_model(folder)


def test_recipe_learns_vectors_from_its_pools(tmp_path, rows):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in rows), "utf-8")
    recipe = {
        "data": [{"path": "data.jsonl"}],
        "word_vectors": {"pools": [{"path": "pool.jsonl"}], "dim": 8, "min_count": 3},
        "params": {"segmenter": "syllable"},
    }
    (tmp_path / "r.json").write_text(json.dumps(recipe), encoding="utf-8")
    recipe = load_recipe(tmp_path / "r.json")
    summary = train_model(recipe, tmp_path / "m", runtime={"cache_dir": False})
    model = load_model(tmp_path / "m")
    assert isinstance(model.word_vectors, WordVectors) and model.word_vectors.dim == 8
    assert summary["word_vector_seconds"] is not None
    assert model.metadata_["training_data"]["word_vector_pools"] == [str(pool)]


class Passes:
    """Texts that count how often they are read."""

    def __init__(self, texts):
        self.texts, self.passes = texts, 0

    def __iter__(self):
        self.passes += 1
        return iter(self.texts)


def test_vectors_read_a_reiterable_pool_twice_without_holding_it(rows):
    texts = segment_texts([normalize_text(r["text"]) for r in rows], "syllable", cache_dir=False)
    pool = Passes(texts)
    from_pool = learn_word_vectors(pool, dim=8, min_count=3)
    from_list = learn_word_vectors(texts, dim=8, min_count=3)
    from_iterator = learn_word_vectors(iter(texts), dim=8, min_count=3)
    assert pool.passes == 2
    for other in (from_list, from_iterator):
        assert other.terms == from_pool.terms
        np.testing.assert_array_equal(other.vectors, from_pool.vectors)
        np.testing.assert_array_equal(other.weights, from_pool.weights)


def test_pool_files_are_segmented_batch_by_batch_as_a_whole(tmp_path, rows, monkeypatch):
    pools = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for path, part in zip(pools, (rows[:40], rows[40:75])):
        path.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in part), "utf-8")
    whole = list(SegmentedPool(pools, "syllable"))
    monkeypatch.setattr(train, "POOL_BATCH", 7)
    assert list(SegmentedPool(pools, "syllable")) == whole
    texts = [normalize_text(r["text"]) for r in rows[:75]]
    assert whole == segment_texts(texts, "syllable", cache_dir=False)


def test_a_bad_pool_line_is_named(tmp_path):
    pool = tmp_path / "pool.jsonl"
    pool.write_text('{"text": "Mưa lớn"}\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"pool\.jsonl line 2: invalid JSON"):
        pool_word_vectors({"pools": [{"path": str(pool)}], "dim": 2}, "syllable")


def test_an_altered_word_list_is_refused_by_its_hash(tmp_path, rows, vectors):
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    model = NewsClassifier(segmenter="syllable", word_vectors=vectors)
    folder = save_model(model.fit(texts, labels), tmp_path / "m")
    with gzip.open(folder / "word_vectors.txt.gz", "rt", encoding="utf-8") as f:
        words = f.read().split("\n")
    words[0], words[1] = words[1], words[0]  # same words, same size: only the hash tells
    with gzip.open(folder / "word_vectors.txt.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(words))
    with pytest.raises(ModelError, match=r"word_vectors\.txt\.gz does not match the size and SHA"):
        load_model(folder)


_VECTORS_OF_POOL = """
import gzip, json, sys
from itertools import islice
import numpy as np
from newscat.classifier.word_vectors import learn_word_vectors
from newscat.segmenters.registry import segment_texts
from newscat.text.normalize import normalize_text
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f:
    texts = [normalize_text(json.loads(line)["text"]) for line in islice(f, 20000)]
segmented = segment_texts(texts, "dictionary", cache_dir=False)
np.save(sys.argv[2], learn_word_vectors(segmented, dim=100, min_count=10).vectors)
"""


def test_vectors_do_not_depend_on_the_cpus_linear_algebra_kernels(tmp_path, shared_data):
    """The same pool gives the same int8 vectors with OpenBLAS's AVX2 (Haswell) kernels
    as with the ones it picks for this CPU (AVX-512 where there is one), as a model
    re-created from its recipe on another machine needs."""
    pool = shared_data / "pool" / "rss_2025_26.jsonl.gz"
    saved = {}
    for kernels in ("Haswell", None):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        if kernels:
            env["OPENBLAS_CORETYPE"] = kernels
        saved[kernels] = tmp_path / f"{kernels}.npy"
        command = [sys.executable, "-c", _VECTORS_OF_POOL, str(pool), str(saved[kernels])]
        subprocess.run(command, env=env, check=True)
    np.testing.assert_array_equal(np.load(saved["Haswell"]), np.load(saved[None]))
