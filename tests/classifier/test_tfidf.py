"""The TF-IDF step's token table gives scikit-learn's own matrix, on real articles and odd texts.

Every test runs twice: with the compiled token lookup and with its pure-Python fallback.
"""

from __future__ import annotations

import gzip
import json
import pickle
from itertools import islice

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

import newscat
from newscat import NewsClassifier
from newscat.classifier import tfidf as tfidf_module
from newscat.classifier import token_ids
from newscat.classifier.domain import known_share
from newscat.classifier.features import SYLLABLE_MARK, TermAnalyzer
from newscat.classifier.tfidf import TABLE_AFTER_TEXTS, TermVectorizer

TRAIN = [
    "Công_đoàn tặng quà Tết cho công_nhân",
    "công_đoàn cơ_sở thăm công_nhân ốm",
    "Bão số 3 gây mưa lớn ở Quảng_Ninh",
    "mưa lớn kéo_dài , bão tan",
    "~tặng quà ~ công đoàn__viên _ ~công_đoàn",
    "CÔNG_ĐOÀN TẶNG QUÀ ; mưa bão",
]
ODD = [
    "",  # empty
    "   \n\t ",  # whitespace only
    "xyzzy plugh qwerty_asdf",  # only unknown tokens, one of them a compound
    "bão",  # one token
    "Công_Đoàn",  # one compound, uppercase
    "MƯA LỚN BÃO SỐ 3",  # uppercase: terms are lowercased
    "~tặng ~công_đoàn ~ tặng quà",  # tokens that look like syllable terms
    "công__đoàn _ __ đoàn_ _viên công_đoàn_viên",  # empty syllables
    "công_nhân ốm\ncông_nhân\tốm  công_nhân ốm",  # repeated bigrams, any whitespace
    "xyzzy công_đoàn xyzzy tặng quà xyzzy",  # bigrams broken by an unknown word
    "thăm công_nhân",  # with the next text, a bigram across two texts: not a term of either
    "ốm",
]


@pytest.fixture(params=["compiled", "python"], autouse=True)
def implementation(request, monkeypatch) -> str:
    """Run the test with the compiled token lookup and counts, then with their fallbacks."""
    if request.param == "python":
        monkeypatch.setattr(token_ids, "_compiled", None)
        monkeypatch.setattr(tfidf_module, "_compiled", None)
    elif token_ids._compiled is None or tfidf_module._compiled is None:
        pytest.skip("the compiled token lookup and counts are not built here")
    return request.param


def assert_same_matrix(fast, slow) -> None:
    """Same type, shape, columns and stored cells; values within float32 rounding."""
    assert type(fast) is type(slow) and fast.shape == slow.shape
    assert fast.dtype == slow.dtype == np.float32
    np.testing.assert_array_equal(fast.indptr, slow.indptr)
    np.testing.assert_array_equal(fast.indices, slow.indices)
    np.testing.assert_allclose(fast.data, slow.data, rtol=0, atol=1e-6)


def fitted(ngram_range, syllables, texts=TRAIN) -> TermVectorizer:
    analyzer = TermAnalyzer(ngram_range, syllables=syllables)
    tfidf = TermVectorizer(analyzer=analyzer, min_df=1, sublinear_tf=True, dtype=np.float32)
    return tfidf.fit(texts)


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2)])
@pytest.mark.parametrize("syllables", [False, True])
def test_token_table_gives_scikit_learns_matrix_on_odd_texts(ngram_range, syllables):
    tfidf = fitted(ngram_range, syllables)
    assert tfidf.term_table() is not None  # the fast path is taken below
    texts = ODD + TRAIN
    slow = TfidfVectorizer.transform(tfidf, texts)
    assert slow.nnz > 0 and slow[:3].nnz == 0  # the odd texts do hold terms, the first none
    assert_same_matrix(tfidf.transform(texts), slow)
    for text in ODD:  # one text at a time as well: no row leaks into another
        assert_same_matrix(tfidf.transform([text]), TfidfVectorizer.transform(tfidf, [text]))
    for transform in (tfidf.transform, lambda texts: TfidfVectorizer.transform(tfidf, texts)):
        with pytest.raises(ValueError, match="0 sample"):  # as scikit-learn has it
            transform([])


def test_syllable_terms_and_word_terms_that_look_alike_share_a_column():
    # "~tặng" is the syllable unigram of "tặng" and the word unigram of "~tặng"
    tfidf = fitted((1, 2), True)
    texts = ["~tặng", "tặng", "~tặng tặng", "~tặng_quà tặng"]
    counts = tfidf.term_table().counts(texts).toarray()
    expected = [tfidf.analyzer(text).count("~tặng") for text in texts]
    assert counts[:, tfidf.vocabulary_["~tặng"]].tolist() == expected == [1, 1, 2, 1]


def test_terms_beyond_bigrams_take_scikit_learns_path():
    tfidf = fitted((1, 3), True)
    assert tfidf.term_table() is None
    assert_same_matrix(tfidf.transform(ODD), TfidfVectorizer.transform(tfidf, ODD))


def test_the_table_is_built_once_enough_text_was_read_and_follows_a_refit():
    tfidf = fitted((1, 2), True)
    for text in TRAIN:  # one at a time, as single articles are labelled
        tfidf.transform([text])
    assert tfidf.term_table(build=False) is None  # a few texts do not pay for a table
    many = TRAIN * ((TABLE_AFTER_TEXTS - len(TRAIN)) // len(TRAIN) + 1)  # now enough
    assert_same_matrix(tfidf.transform(many), TfidfVectorizer.transform(tfidf, many))
    table = tfidf.term_table(build=False)
    assert table is not None and tfidf.term_table() is table
    tfidf.fit(["mưa bão", "nắng nóng kéo_dài"])  # a new vocabulary, a new table
    assert tfidf.term_table() is not table
    assert_same_matrix(tfidf.transform(ODD), TfidfVectorizer.transform(tfidf, ODD))


def test_a_pickled_vectorizer_leaves_its_table_behind():
    tfidf = fitted((1, 2), True)
    table = tfidf.term_table()
    copy = pickle.loads(pickle.dumps(tfidf))
    assert tfidf.term_table(build=False) is table  # the original keeps it
    assert copy.term_table(build=False) is None
    assert_same_matrix(copy.transform(ODD), tfidf.transform(ODD))


def test_texts_that_are_not_str_take_scikit_learns_path():
    tfidf = fitted((1, 2), True)
    tfidf.term_table()
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        tfidf.transform("một văn bản")
    texts = [b"c\xc3\xb4ng_\xc4\x91o\xc3\xa0n t\xe1\xba\xb7ng", "quà"]  # bytes are decoded
    assert_same_matrix(tfidf.transform(texts), TfidfVectorizer.transform(tfidf, texts))


@pytest.fixture(scope="module")
def real_articles(shared_data) -> list[str]:
    """300 labor5 and 300 VNTC articles as the shipped model segments them."""
    with (shared_data / "labor5" / "recent.jsonl").open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in islice(f, 300)]
    with gzip.open(shared_data / "vntc" / "test.jsonl.gz", "rt", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in islice(f, 300)]
    return texts


def test_shipped_model_matrix_equals_scikit_learns_on_real_articles(real_articles):
    model = newscat.load()
    segmented = model._clean_normalise_segment(real_articles, None)
    tfidf = model.tfidf_
    assert isinstance(tfidf, TermVectorizer) and tfidf.term_table() is not None
    slow = TfidfVectorizer.transform(tfidf, segmented)
    assert slow.nnz > 100 * len(segmented)
    assert_same_matrix(tfidf.transform(segmented), slow)
    assert tfidf.term_table(build=False) is not None  # kept on the loaded model
    table = tfidf.term_table()
    shares = [known_share(text, tfidf.vocabulary_, SYLLABLE_MARK) for text in segmented]
    assert [table.known_share(text) for text in segmented] == shares
    assert 0.4 < min(shares) and max(shares) <= 1.0


def test_shipped_model_labels_and_scores_are_unchanged(real_articles, monkeypatch):
    model = newscat.load()
    model.tfidf_.term_table()
    fast = model.classify_many(real_articles)
    with monkeypatch.context() as patch:  # every transform on scikit-learn's string path
        patch.setattr(TermVectorizer, "term_table", lambda self, build=True: None)
        slow = model.classify_many(real_articles)
        slow_explained = model.explain(real_articles[0]).to_dict()
    assert [p.label for p in fast] == [p.label for p in slow]
    assert len({p.label for p in fast}) > 3
    np.testing.assert_allclose([p.score for p in fast], [p.score for p in slow], atol=1e-9)
    assert [p.uncertain for p in fast] == [p.uncertain for p in slow]
    assert model.explain(real_articles[0]).to_dict() == slow_explained


def test_a_fitted_classifier_uses_the_table_and_saves_no_more(tmp_path):
    texts = [" ".join(TRAIN[i % 4 : i % 4 + 2]) for i in range(8)]
    labels = ["union", "union", "weather", "weather"] * 2
    model = NewsClassifier(segmenter="syllable", calibration_cv=2).fit(texts, labels)
    assert isinstance(model.tfidf_, TermVectorizer)
    before = model.predict_proba(texts)
    model.tfidf_.term_table()
    np.testing.assert_allclose(model.predict_proba(texts), before, atol=1e-9)
    folder = newscat.save_model(model, tmp_path / "m", name="m")
    loaded = newscat.load(folder)
    assert isinstance(loaded.tfidf_, TermVectorizer)
    assert loaded.tfidf_.term_table(build=False) is None  # derived again, never stored
    np.testing.assert_allclose(loaded.predict_proba(texts), before, atol=1e-9)
