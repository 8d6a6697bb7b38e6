"""The fast text stages give exactly what their plain definitions give.

Each stage is checked against a short, obviously correct definition of what it
computes, on real articles (VNTC test, labor5) and on random strings built from the
characters the fast paths treat specially.
"""

from __future__ import annotations

import gzip
import json
import pickle
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from importlib.resources import files
from itertools import islice

import numpy as np
import pytest

from newscat.classifier import domain, neighbours, tfidf, token_ids
from newscat.classifier.word_vectors import WordVectors
from newscat.segmenters import dictionary
from newscat.text import pages
from newscat.text.normalize import normalize_text, normalize_tone_marks

VNTC_SAMPLE = 2000


@pytest.fixture(scope="module")
def real_texts(shared_data, labor5_rows) -> list[str]:
    """The first VNTC test articles and all labor5 training articles."""
    with gzip.open(shared_data / "vntc" / "test.jsonl.gz", "rt", encoding="utf-8") as f:
        vntc = [json.loads(line)["text"] for line in islice(f, VNTC_SAMPLE)]
    return vntc + [row["text"] for row in labor5_rows]


def _random_texts(alphabet: str, count: int = 3000, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(count)]


# ------------------------------------------------------------------ normalise
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_DECOMPOSED_OLD_STYLE = re.compile(
    rf"(?<!q)(?<!Q)([oOuU])([aAeEyY])([{_TONES}])(?![^\W\d_]|[\u0300-\u036f])"
)


def tone_marks_by_definition(text: str) -> str:
    """Decompose, put the tone after the first vowel, recompose."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _DECOMPOSED_OLD_STYLE.sub(lambda m: m[1] + m[3] + m[2], decomposed)
    return unicodedata.normalize("NFC", moved)


def normalize_by_definition(text: str) -> str:
    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(
        r"[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff\u00ad]", "", text
    )
    text = tone_marks_by_definition(text)
    text = re.sub(r"[^\S\n]+", " ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n\s*\n\s*", "\n\n", text).strip()


_TRICKY = (
    "oOuUqQaAeEyYàáãảạÀÁẠỳýỹỷỵèéẽẻẹâêôơưđ_1 .\n\t\r\x0b\x0c\x1c\x85\xa0\u2000\u2028\u3000"
    + _TONES
    + "\u0302\u0306\u031b\u0327"
)


def test_tone_marks_match_the_decomposed_definition():
    texts = _random_texts(_TRICKY) + ["hoà", "hoà̀", "quà", "oà1", "oà_", "Oẻ", "uỳnh", "oạ̀"]
    for text in texts:
        assert normalize_tone_marks(text) == tone_marks_by_definition(text), repr(text)


def test_normalize_text_matches_the_definition_on_random_text():
    for text in _random_texts(_TRICKY):
        assert normalize_text(text) == normalize_by_definition(text), repr(text)


def test_normalize_text_matches_the_definition_on_real_articles(real_texts):
    for text in real_texts:
        assert normalize_text(text) == normalize_by_definition(text)


# ------------------------------------------------------------------ page cleaning
def strip_markup_by_definition(line: str) -> tuple[str, list[str]]:
    found = []
    for pattern in (pages._COMMENT, pages._TAG, pages._EDGE_MARKER):
        found += [match.group().strip() for match in pattern.finditer(line)]
        line = pattern.sub(" ", line)
    return (" ".join(line.split()) if found else line.strip()), found


def teaser_start_by_definition(lines: list[str]) -> int:
    keys = [pages._key(line).rstrip(" :") for line in lines]
    return next((i for i, key in enumerate(keys) if key in pages._TEASER_KEYS), len(lines))


_PAGE_TRICKY = "<!-->a b/ \tCcXxTtNnPpÇ\u0327\u0301:Tin khácXem thêm"


def _page_lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.splitlines()]


@pytest.mark.parametrize("source", ["real", "random"])
def test_markup_is_stripped_as_defined(source, real_texts):
    lines = _page_lines(real_texts) if source == "real" else _random_texts(_PAGE_TRICKY)
    lines += ["<b>Tin</b> hay -->", "  <!-- x --> Tin  ", "a < b", "--> ", "x -- > y"]
    for line in lines:
        removed: list[tuple[str, str]] = []
        text = pages._strip_markup(line, removed)
        assert (text, [found for _, found in removed]) == strip_markup_by_definition(line)


@pytest.mark.parametrize("source", ["real", "random"])
def test_teaser_block_starts_where_defined(source, real_texts):
    pages_ = real_texts if source == "real" else _random_texts(_PAGE_TRICKY, count=2000)
    pages_ = pages_ + ["A\nTin khác:\nB", "A\nC\u0327ó thể bạn quan tâm\nB", "A\n  XEM THÊM \nB"]
    # more words than any heading, the extra ones only colons (or not)
    pages_ += ["A\nCó thể bạn quan tâm : :\t:\nB", "A\nCó thể bạn quan tâm :x\nB"]
    for page in pages_:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        start = teaser_start_by_definition(lines)
        removed: list[tuple[str, str]] = []
        assert pages._cut_teasers(lines, removed) == lines[:start]
        assert len(removed) == len(lines) - start


# ------------------------------------------------------------------ segmentation
def _trie_words(node: dict, prefix: tuple[str, ...] = ()) -> set[str]:
    words = {" ".join(prefix)} if dictionary._WORD_END in node else set()
    for syllable, child in node.items():
        if syllable != dictionary._WORD_END:
            words |= _trie_words(child, (*prefix, syllable))
    return words


def word_set_by_definition() -> set[str]:
    """Entries of 2-4 syllables of letters (and "-"), less those kept apart."""
    path = files("underthesea").joinpath(*dictionary._WORD_LIST)
    text = normalize_tone_marks(path.read_text(encoding="utf-8")).lower()
    entries = [entry.split() for entry in text.split("\n")]
    return {
        " ".join(parts)
        for parts in entries
        if 2 <= len(parts) <= 4 and all(part.replace("-", "").isalpha() for part in parts)
    } - dictionary._KEPT_APART


def test_trie_holds_exactly_the_word_set():
    trie, _ = dictionary._lexicon()
    assert _trie_words(trie) == word_set_by_definition()


def test_longest_match_is_the_longest_word_of_the_set(real_texts):
    trie, _ = dictionary._lexicon()
    words = word_set_by_definition()
    lines = [line for text in real_texts[:300] for line in normalize_text(text).split("\n")]
    for line in lines:
        low = [token.lower() for token in dictionary.syllables(line)]
        for i in range(len(low)):
            longest = max((k for k in range(2, 5) if " ".join(low[i : i + k]) in words), default=1)
            assert dictionary._longest(trie, low, i, len(low)) == i + min(longest, len(low) - i)


def test_syllables_match_underthesea_regex_on_real_lines(real_texts):
    lines = [line for text in real_texts for line in normalize_text(text).split("\n")]
    for line in lines[::3]:
        assert dictionary.syllables(line) == [m[0] for m in dictionary._TOKEN.finditer(line)]


# The compiled segmenter (where built) against the pure-Python one, which the tests above
# and tests/segmenters check: the same tokens and words, and no references leaked.
_SEGMENTER_ALPHABET = (
    "aăâbcdđeêhiklmnoôơpqrstuưvxyAĂÂBCĐEÊHIKLMNOÔƠPQRSTUƯVXYàáảãạằắẳẵặầấẩẫậốồờớợúùủũụ"
    "ThThsS  \t0123456789.,;:!?()[]\"'“”‘’-–—/%…_@#&+=*<>ΣσςİǅⅠ\u0301\u00a0ー中"
)
_COMPILED = pytest.mark.skipif(dictionary._compiled is None, reason="not built here")


def _segmenter_lines(real_texts: list[str]) -> list[str]:
    real = [line for text in real_texts for line in normalize_text(text).split("\n")]
    words = "Công đoàn Hà Nội TP.HCM Th.S ThS. Nguyễn Văn An Phó Chủ tịch cho biết".split()
    rng = random.Random(1)
    shuffled = [" ".join(rng.choices(words, k=rng.randint(1, 12))) for _ in range(2000)]
    return real + shuffled + _random_texts(_SEGMENTER_ALPHABET, count=20_000)


@_COMPILED
def test_compiled_segmenter_equals_the_python_one(real_texts):
    seg = dictionary.DictionarySegmenter()
    for line in _segmenter_lines(real_texts):
        python = dictionary._syllables_python(line)
        assert dictionary.syllables(line) == python, line
        assert seg.segment_line(line) == seg._segment_line_python(line), line


def _leaked_blocks(run: Callable[[], None]) -> int:
    """How many more memory blocks are allocated after three more calls of ``run`` than
    after the first (which fills caches)."""
    run()
    before = sys.getallocatedblocks()
    for _ in range(3):
        run()
    return sys.getallocatedblocks() - before


@_COMPILED
def test_compiled_segmenter_lowers_as_str_lower(monkeypatch):
    # İ and Σ are the characters whose lower case is not one simple character
    monkeypatch.setattr(dictionary, "_NAME_TITLES", dictionary._NAME_TITLES | {"σ"})
    seg = dictionary.DictionarySegmenter()
    seg._trie = {"i̇z": {"mir": {"": True}}, "ας": {"βγ": {"": True}}, "ǆa": {"b": {"": True}}}
    seg._compiled_lexicon = dictionary._compiled.Lexicon(seg._trie, dictionary._NAME_TITLES)
    lines = ["İz mir", "İZ MIR", "ΑΣ βγ", "ΑΣ ΒΓ", "ǅa b", "Ǆa B", "ΣΑ βγ", "Σ Nam Bộ", "σ Nam"]
    for line in lines:
        assert seg.segment_line(line) == seg._segment_line_python(line), line
    assert [seg.segment_line(line) for line in lines[:6]] == [
        "İz_mir",
        "İZ_MIR",
        "ΑΣ_βγ",
        "ΑΣ_ΒΓ",
        "ǅa_b",
        "Ǆa_B",
    ]


@_COMPILED
def test_compiled_segmenter_leaks_nothing(real_texts):
    seg = dictionary.DictionarySegmenter()
    lines = _segmenter_lines(real_texts[:200])
    trie = {"hà": {"nội": {"": True}}}

    def run() -> None:
        for line in lines:
            dictionary.syllables(line)
            seg.segment_line(line)
        lexicon = dictionary._compiled.Lexicon(trie, frozenset({"ông"}))
        assert (
            lexicon.segment_line("Ông Hà Nội (TP)", dictionary._regex_tokens) == "Ông Hà_Nội ( TP )"
        )
        for bad in (None, b"bytes", 3):
            with pytest.raises(TypeError):
                lexicon.segment_line(bad, dictionary._regex_tokens)
        for bad_trie, titles in (({"a": 3}, frozenset()), ({3: {}}, frozenset()), (trie, {"x"})):
            with pytest.raises(TypeError):
                dictionary._compiled.Lexicon(bad_trie, titles)
        with pytest.raises(TypeError):
            dictionary._compiled.Lexicon(trie, frozenset({3}))
        with pytest.raises(ZeroDivisionError):  # an error in the callback reaches the caller
            lexicon.segment_line("Hà Nội (TP)", lambda c: 1 / 0)
        with pytest.raises(TypeError):
            lexicon.segment_line("Hà Nội (TP)", lambda c: [1])
        with pytest.raises(RuntimeError):
            lexicon.__init__(trie, frozenset())

    assert _leaked_blocks(run) < 100


# ------------------------------------------------------------------ domain checks
# The compiled counts (where built) against the pure-Python ones.
_DOMAIN_ALPHABET = _SEGMENTER_ALPHABET + "__²½Ⅻ\x1c\u2003\u3000ÐðǱ"
_DOMAIN_COMPILED = pytest.mark.skipif(domain._compiled is None, reason="not built here")
_MARKS = (None, "~", "ð", "中")


def test_the_vietnamese_letters_are_all_the_pattern_matches():
    matched = [chr(c) for c in range(0x110000) if domain._VIETNAMESE_LETTER.match(chr(c))]
    assert domain._VIETNAMESE_LETTERS == "".join(matched)  # in code point order


def _domain_texts(real_texts: list[str]) -> list[str]:
    seg = dictionary.DictionarySegmenter()
    segmented = [seg(normalize_text(text))[: domain.SAMPLE_CHARS] for text in real_texts[::3]]
    return segmented + real_texts[::7] + _random_texts(_DOMAIN_ALPHABET, count=20_000, seed=2)


def _vocabulary(texts: list[str]) -> set[str]:
    """Words of ``texts`` and their syllables behind each mark."""
    words = {word for text in texts for word in text.lower().split()}
    syllables = {part for word in words for part in word.split("_") if part}
    return words | {mark + part for mark in _MARKS if mark for part in syllables}


@_DOMAIN_COMPILED
def test_compiled_domain_counts_equal_the_python_ones(real_texts):
    texts = _domain_texts(real_texts)
    for text in texts:
        assert domain._compiled.letter_counts(
            text, domain._VIETNAMESE_LETTERS
        ) == domain._letter_counts_python(text), text


def _compiled_or_not(module, compiled: bool, monkeypatch) -> None:
    """Run with the module's compiled path, or with its pure-Python fallback."""
    if not compiled:
        monkeypatch.setattr(module, "_compiled", None)
    elif module._compiled is None:
        pytest.skip("not built here")


@pytest.mark.parametrize("compiled", [True, False])
def test_domain_shares_with_and_without_the_compiled_module(compiled, monkeypatch):
    _compiled_or_not(domain, compiled, monkeypatch)
    assert domain.vietnamese_share("Bão lũ 2") == 0.4
    assert domain.vietnamese_share("😀 123") == 0.0
    assert domain.known_share("Bão số 3 đổ_bộ covid_19", {"bão", "đổ_bộ"}) == 0.5
    assert domain.known_share("The storm đổ_bộ 3", {"~đổ", "~bộ"}, mark="~") == 0.5
    assert domain.known_share("1.600 !", {"1.600"}) == 0.0


@_DOMAIN_COMPILED
def test_compiled_domain_counts_leak_nothing(real_texts):
    texts = _domain_texts(real_texts[:200])

    def run() -> None:
        for text in texts:
            domain._compiled.letter_counts(text, domain._VIETNAMESE_LETTERS)
        for bad in ((None, "ă"), ("text", 3), ("text",)):
            with pytest.raises(TypeError):
                domain._compiled.letter_counts(*bad)

    assert _leaked_blocks(run) < 100


# ------------------------------------------------------------------ token ids
# The compiled lookup (where built) against the pure-Python one, and that against the
# plain reading of a segmented text.
_TOKEN_COMPILED = pytest.mark.skipif(token_ids._compiled is None, reason="not built here")


def lookup_by_definition(index: dict[str, int], texts: list[str]) -> list[tuple]:
    """Per text: the ids of its words and of their syllables, one at a time."""
    out = []
    for text in texts:
        words = text.lower().split()
        syllables = [part for word in words for part in word.split("_") if part]
        out.append(([index.get(w, -1) for w in words], [index.get(p, -1) for p in syllables]))
    return out


def _per_text(found: token_ids.Lookup) -> list[tuple]:
    words = np.split(found.words, np.cumsum(found.word_counts)[:-1])
    syllables = np.split(found.syllables, np.cumsum(found.syllable_counts)[:-1])
    return [(w.tolist(), s.tolist()) for w, s in zip(words, syllables)]


def _token_texts(real_texts: list[str]) -> tuple[list[str], list[str]]:
    """Segmented and random texts, and tokens: half of their words and syllables."""
    texts = _domain_texts(real_texts)
    return texts, sorted(_vocabulary(texts[::2]) | {"σ", "ς", "i̇", "ǆ"})


def test_python_lookup_matches_the_definition(real_texts):
    texts, tokens = _token_texts(real_texts[::5])
    ids = token_ids.TokenIds(tokens)
    found = token_ids._lookup_python(ids.index, texts, syllables=True)
    assert _per_text(found) == lookup_by_definition(ids.index, texts)
    words_only = token_ids._lookup_python(ids.index, texts, syllables=False)
    assert np.array_equal(words_only.words, found.words)
    assert len(words_only.syllables) == len(words_only.syllable_counts) == 0


@_TOKEN_COMPILED
def test_compiled_lookup_equals_the_python_one(real_texts):
    texts, tokens = _token_texts(real_texts)
    ids = token_ids.TokenIds(tokens)
    for syllables in (True, False):
        for start in range(0, len(texts), 500):
            batch = texts[start : start + 500]
            compiled = ids.lookup(batch, syllables)
            python = token_ids._lookup_python(ids.index, batch, syllables)
            for got, expected in zip(compiled, python):
                assert got.dtype == np.int64 and np.array_equal(got, expected), batch


def test_known_counts_are_the_domain_checks_counts(real_texts):
    texts, tokens = _token_texts(real_texts[::5])
    ids = token_ids.TokenIds(tokens)
    known = np.random.default_rng(0).random(len(tokens)) < 0.7
    vocabulary = {token for token, flag in zip(tokens, known) if flag}
    for text in texts:
        for syllables, mark in ((False, None), (True, "")):  # "" + syllable: the syllable
            expected = domain.known_counts(text, vocabulary, mark)
            assert token_ids._known_counts_python(ids.index, known, text, syllables) == expected


@_TOKEN_COMPILED
def test_compiled_known_counts_equal_the_python_ones(real_texts):
    texts, tokens = _token_texts(real_texts)
    ids = token_ids.TokenIds(tokens)
    known = np.random.default_rng(1).random(len(tokens)) < 0.7
    for text in texts:
        for syllables in (True, False):
            python = token_ids._known_counts_python(ids.index, known, text, syllables)
            assert ids.known_counts(text, known, syllables) == python, text


@pytest.mark.parametrize("compiled", [True, False])
def test_token_ids_refuse_what_they_cannot_read(compiled, monkeypatch):
    _compiled_or_not(token_ids, compiled, monkeypatch)
    with pytest.raises(ValueError, match=r"token 'mưa' is given twice \(ids 0 and 2\)"):
        token_ids.TokenIds(["mưa", "bão", "mưa"])
    ids = token_ids.TokenIds(["mưa", "bão"])
    with pytest.raises(TypeError, match="text 1 is bytes, not str"):
        ids.lookup(["mưa", b"bao"])
    copied = pickle.loads(pickle.dumps(ids))
    assert copied.lookup(["Bão mưa"]).words.tolist() == [1, 0]
    with pytest.raises(ValueError, match=r"one flag per token \(2\)"):
        ids.known_counts("mưa", np.array([True]), syllables=False)


@_TOKEN_COMPILED
def test_compiled_lookup_leaks_nothing(real_texts):
    texts, tokens = _token_texts(real_texts[:200])

    def run() -> None:
        table = token_ids._compiled.TokenIds(tuple(tokens))
        table.lookup(texts, True)
        table.lookup(texts, False)
        for bad in ((3,), (("a", 3),), (["a"],)):
            with pytest.raises(TypeError):
                token_ids._compiled.TokenIds(*bad)
        with pytest.raises(ValueError):
            token_ids._compiled.TokenIds(("a", "b", "a"))
        with pytest.raises(TypeError):
            table.lookup(texts[:5] + [None], True)
        with pytest.raises(TypeError):
            table.lookup(3, True)
        with pytest.raises(RuntimeError):
            table.__init__(("a",))
        flags = np.ones(len(tokens), dtype=bool)
        for text in texts:
            table.known_counts(text, flags, True)
        for bad in ((None, flags, True), ("mưa", flags[:3], True), ("mưa", 3, True)):
            with pytest.raises((TypeError, ValueError)):
                table.known_counts(*bad)

    assert _leaked_blocks(run) < 100


# ------------------------------------------------------------------ TF-IDF counts
# The compiled counts' results are compared with numpy's in tests/classifier/test_tfidf.py;
# here, what they refuse and that they leak nothing.
_COUNTS_COMPILED = pytest.mark.skipif(tfidf._compiled is None, reason="not built here")


def _count_arrays(**changed) -> tuple:
    """The arrays of two texts over three tokens (0 1 | 2 -1 0), one bigram term (0, 1)."""
    arrays = {
        "ids": np.array([0, 1, 2, -1, 0]),
        "counts": np.array([2, 3]),
        "unigram": np.array([0, 1, -1, -1]),
        "keys": np.array([1]),
        "bigram": np.array([2]),
        "starts": np.array([0, 1, 1, 1]),
    }
    return tuple({**arrays, **changed}.values())


@_COUNTS_COMPILED
def test_compiled_counts_count_and_refuse_what_does_not_fit():
    indptr, indices, data = tfidf._compiled.term_counts([_count_arrays()], 3, 3, True, True)
    assert np.frombuffer(indptr, np.int32).tolist() == [0, 3, 4]
    assert np.frombuffer(indices, np.int32).tolist() == [0, 1, 2, 0]
    assert np.frombuffer(data, np.float32).tolist() == [1, 1, 1, 1]
    bad = {
        "ids": (np.array([0, 1, 3, -1, 0]), ValueError, "token id 3 is outside -1 to 2"),
        "counts": (np.array([2, 2]), ValueError, "counts add up to 4 for 5 ids"),
        "unigram": (np.array([0, 5, -1, -1]), ValueError, "column 5 is outside the 3 features"),
        "keys": (np.array([1, 2]), ValueError, "2 bigram keys but 1 columns"),
        "starts": (np.array([0, 2, 1, 1]), ValueError, "starts must not decrease"),
        "bigram": (np.array([2.0]), TypeError, "bigram must be a one-dimensional int64 array"),
    }
    for name, (value, error, message) in bad.items():
        with pytest.raises(error, match=message):
            tfidf._compiled.term_counts([_count_arrays(**{name: value})], 3, 3, True, True)
    with pytest.raises(TypeError, match="kind 0 must be a tuple of 6 arrays"):
        tfidf._compiled.term_counts([_count_arrays()[:5]], 3, 3, True, True)
    with pytest.raises(ValueError, match="n_tokens and n_features"):
        tfidf._compiled.term_counts([_count_arrays()], -1, 3, True, True)


@_COUNTS_COMPILED
def test_compiled_counts_leak_nothing():
    def run() -> None:
        for _ in range(200):
            tfidf._compiled.term_counts([_count_arrays()] * 2, 3, 3, True, True)
        for bad in ({"ids": np.array([0, 1, 9, -1, 0])}, {"bigram": np.array([2.0])}):
            with pytest.raises((TypeError, ValueError)):
                tfidf._compiled.term_counts([_count_arrays(), _count_arrays(**bad)], 3, 3, 1, 1)
        with pytest.raises(TypeError):
            tfidf._compiled.term_counts(3, 3, 3, True, True)

    assert _leaked_blocks(run) < 100


# ------------------------------------------------------------------ word vectors
def article_vectors_by_definition(wv: WordVectors, texts: list[str]) -> np.ndarray:
    """Sum of IDF times vector over the known words of each text, scaled to length 1."""
    out = np.zeros((len(texts), wv.dim))
    for row, text in enumerate(texts):
        for word in text.lower().split():
            if word in wv.terms:
                i = wv.terms.index(word)
                out[row] += wv.weights[i] * wv.vectors[i] / 127
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def test_article_vectors_match_the_definition():
    rng = np.random.default_rng(0)
    terms = [f"từ_{i}" for i in range(40)]
    vectors = rng.integers(-127, 128, size=(40, 8)).astype(np.int8)
    wv = WordVectors(terms, vectors, rng.random(40).astype(np.float32) + 1)
    words = terms + ["lạ", "Từ_3", "TỪ_5"]
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 25))) for _ in range(300)] + [""]
    got = wv.transform(texts)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, article_vectors_by_definition(wv, texts), atol=1e-5)
    assert not got[-1].any() and wv.transform(["lạ"]).tolist() == [[0.0] * 8]


# ------------------------------------------------------------------ neighbour votes
# The compiled search of the nearest remembered texts (where built) against numpy's, and
# that against a full sort.
_NEAREST_COMPILED = pytest.mark.skipif(neighbours._compiled is None, reason="not built here")


def nearest_weights_by_definition(similarity, labels, n_labels: int, k: int) -> np.ndarray:
    """Per row: sort the columns of positive similarity, largest first, equal ones by
    column; add the first ``k`` to their label, in column order."""
    sums = np.zeros((len(similarity), n_labels))
    for row, values in enumerate(similarity.tolist()):
        positive = [j for j, value in enumerate(values) if value > 0]
        for column in sorted(sorted(positive, key=lambda j: (-values[j], j))[:k]):
            sums[row, labels[column]] += values[column]
    return sums


def _similarities(rng, trial: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Random similarities; every third draw from few values (ties at the k-th), some NaN."""
    rows, n, k, n_labels = rng.integers(1, 30), rng.integers(1, 200), rng.integers(1, 12), 6
    if trial % 3 == 0:
        values = np.array([-0.5, 0, 0.25, 0.5, 0.75, 1], np.float32)
        similarity = rng.choice(values, size=(rows, n))
    else:
        similarity = rng.standard_normal((rows, n)).astype(np.float32)
    if trial % 7 == 0:
        similarity[0, ::3] = np.nan
    labels = rng.integers(0, n_labels, n).astype(np.int32)
    return similarity, labels, n_labels, int(k)


def test_numpy_nearest_weights_match_the_definition():
    rng = np.random.default_rng(0)
    for trial in range(150):
        similarity, labels, n_labels, k = _similarities(rng, trial)
        got = neighbours._nearest_weights_python(similarity, labels, n_labels, k)
        want = nearest_weights_by_definition(similarity, labels, n_labels, k)
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=f"trial {trial}")


@_NEAREST_COMPILED
def test_compiled_nearest_weights_equal_the_numpy_ones():
    rng = np.random.default_rng(1)
    for trial in range(300):
        similarity, labels, n_labels, k = _similarities(rng, trial)
        got = np.zeros((len(similarity), n_labels))
        neighbours._compiled.nearest_weights(similarity, labels, k, got)
        want = neighbours._nearest_weights_python(similarity, labels, n_labels, k)
        assert np.array_equal(got, want), f"trial {trial}"  # same sums, in the same order


@pytest.mark.parametrize("compiled", [True, False])
def test_nearest_weights_with_and_without_the_compiled_module(compiled, monkeypatch):
    _compiled_or_not(neighbours, compiled, monkeypatch)
    similarity = np.array([[0.5, 0.75, 0.5, 0.5, -1], [0, 0, 0, 0, 0]], np.float32)
    labels = np.array([0, 1, 2, 0, 1], np.int32)
    # ties at the third: the lowest columns (0 and 2) are taken, not 3
    assert neighbours.nearest_weights(similarity, labels, 3, 3).tolist() == [
        [0.5, 0.75, 0.5],
        [0, 0, 0],
    ]
    assert neighbours.nearest_weights(similarity, labels, 3, 100).tolist()[0] == [1.0, 0.75, 0.5]


@_NEAREST_COMPILED
def test_compiled_nearest_weights_refuse_what_they_cannot_read():
    similarity, labels = np.ones((2, 3), np.float32), np.zeros(3, np.int32)
    search = neighbours._compiled.nearest_weights
    bad_calls = {
        "similarity must be": (similarity.astype(np.float64), labels, 1, np.zeros((2, 2))),
        "labels must be": (similarity, labels.astype(np.int64), 1, np.zeros((2, 2))),
        "out must be": (similarity, labels, 1, np.zeros((2, 2), np.float32)),
    }
    for message, args in bad_calls.items():
        with pytest.raises(TypeError, match=message):
            search(*args)
    with pytest.raises(ValueError, match="shapes do not match"):
        search(similarity, labels[:2], 1, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="labels\\[1\\] is 5"):
        search(similarity, np.array([0, 5, 1], np.int32), 1, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="k must be"):
        search(similarity, labels, 0, np.zeros((2, 2)))
    read_only = np.zeros((2, 2))
    read_only.flags.writeable = False
    with pytest.raises((TypeError, BufferError, ValueError)):
        search(similarity, labels, 1, read_only)


@_NEAREST_COMPILED
def test_compiled_nearest_weights_leak_nothing():
    rng = np.random.default_rng(2)
    similarity = rng.standard_normal((50, 300)).astype(np.float32)
    labels = rng.integers(0, 6, 300).astype(np.int32)

    def run() -> None:
        for _ in range(50):
            neighbours._compiled.nearest_weights(similarity, labels, 5, np.zeros((50, 6)))
        with pytest.raises(TypeError):
            neighbours._compiled.nearest_weights(similarity, labels, 5, None)

    assert _leaked_blocks(run) < 100
