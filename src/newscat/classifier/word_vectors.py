"""Word vectors learnt from unlabelled news, and the article vectors built from them.

A few thousand labelled articles cannot hold every word of next year's news; a pool
of unlabelled articles of the same era can. :func:`learn_word_vectors` counts which
words occur near which others in such a pool, keeps the positive pointwise mutual
information (PPMI) of each pair and reduces that matrix with a seeded truncated SVD:
words used in the same contexts (``trộm`` and ``đột_nhập``, a storm and its name)
get similar vectors. It needs only numpy, scipy and scikit-learn, and the same pool
and settings always give the same vectors.

An article's vector is the IDF-weighted sum of its words' vectors, scaled to unit
length (:meth:`WordVectors.transform`); the classifier appends it, times a weight,
to the TF-IDF columns, so that a word the labelled data never showed still counts
through the words it resembles.

Vectors are stored as int8 (unit rows times 127): a quarter of float32, with a
rounding error far below what the classifier can see, so a model with 45,000 word
vectors stays small.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.extmath import randomized_svd

from .token_ids import TokenIds

__all__ = [
    "MAX_WINDOW",
    "VECTOR_SETTINGS",
    "ArticleVectors",
    "WithArticleVectors",
    "WordVectors",
    "check_vector_settings",
    "learn_word_vectors",
]

_QUANT = 127.0
# Pool texts are read in slices of about this many known words (see _count_pool): all
# at once, the 323,000 items of the shipped recipe's pools took 9.5 GB.
_SLICE_TOKENS = 2_000_000
# The widest window: pair weights are counted as integers in units of 1 / lcm(1, ...,
# window), which must leave room in an int64 for billions of pairs.
MAX_WINDOW = 20
# The settings of learn_word_vectors that a recipe's "word_vectors" entry may give.
VECTOR_SETTINGS = ("dim", "window", "min_count")


class WordVectors:
    """Word vectors (int8 rows) and the IDF weight of each word.

    Parameters
    ----------
    terms : sequence of str
        The words, lowercased as the segmenter writes them (``công_đoàn``).
    vectors : array of int8, shape (n_terms, dim)
        Unit vectors times 127, rounded.
    weights : array of float32, shape (n_terms,)
        IDF of each word in the pool the vectors were learnt from.

    Examples
    --------
    >>> wv = WordVectors(["mưa", "bão", "trộm"],
    ...                  np.array([[127, 0], [90, 90], [0, 127]], dtype=np.int8),
    ...                  np.ones(3, dtype=np.float32))
    >>> np.round(wv.transform(["Mưa bão", "kẻ trộm", "không rõ"]).astype(float), 2).tolist()
    [[0.92, 0.38], [0.0, 1.0], [0.0, 0.0]]
    """

    def __init__(self, terms: Sequence[str], vectors: np.ndarray, weights: np.ndarray) -> None:
        terms = list(terms)
        if vectors.dtype != np.int8 or vectors.ndim != 2 or len(vectors) != len(terms):
            raise ValueError(
                f"word vectors: expected an int8 matrix with one row per term ({len(terms)}), "
                f"got {vectors.dtype} of shape {vectors.shape}"
            )
        if weights.shape != (len(terms),):
            raise ValueError(
                f"word vectors: expected {len(terms)} weights, got shape {weights.shape}"
            )
        self.terms = terms
        self.vectors = vectors
        self.weights = weights.astype(np.float32)
        self._tokens = TokenIds(terms)
        self._weighted = vectors.astype(np.float32) * (self.weights / _QUANT)[:, None]

    @property
    def dim(self) -> int:
        """Length of each vector."""
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.terms)

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} terms, {self.dim} dimensions)"

    def transform(self, segmented: Iterable[str]) -> np.ndarray:
        """Unit-length article vectors (float32), one row per segmented text.

        A text without any known word gets a row of zeros.
        """
        found = self._tokens.lookup(list(segmented))
        n_texts = len(found.word_counts)
        known = found.words >= 0
        per_text = np.bincount(
            np.repeat(np.arange(n_texts), found.word_counts)[known], None, n_texts
        )
        ends = np.concatenate([[0], np.cumsum(per_text)])
        cols = found.words[known]
        shape = (n_texts, len(self.terms))
        counts = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, ends), shape=shape)
        counts.sum_duplicates()  # a word's count times its vector, as before, not summed after
        out = np.asarray(counts @ self._weighted, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


class ArticleVectors(TransformerMixin, BaseEstimator):
    """Pipeline step: segmented texts to ``weight`` times their article vectors (sparse).

    Nothing is learnt from the labelled texts, so ``fit`` only checks its input; it
    stands beside the TF-IDF step in :class:`WithArticleVectors`.

    Examples
    --------
    >>> wv = WordVectors(["mưa"], np.array([[127, 0]], dtype=np.int8), np.ones(1, np.float32))
    >>> ArticleVectors(wv, 0.5).fit_transform(["mưa to"]).toarray().tolist()
    [[0.5, 0.0]]
    """

    def __init__(self, word_vectors: WordVectors, weight: float = 0.4) -> None:
        self.word_vectors = word_vectors
        self.weight = weight

    def fit(self, X, y=None) -> ArticleVectors:
        """Nothing to learn; returns ``self``."""
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Return ``weight`` times the article vector of each segmented text."""
        return sp.csr_matrix(self.weight * self.word_vectors.transform(X))


class WithArticleVectors(TransformerMixin, BaseEstimator):
    """Pipeline step: the columns of ``tfidf`` followed by those of ``vectors``.

    What :class:`~sklearn.pipeline.FeatureUnion` does for these two steps, without its
    parallel machinery on every call (about 1 ms of labelling one article).

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> wv = WordVectors(["mưa"], np.array([[127, 0]], dtype=np.int8), np.ones(1, np.float32))
    >>> step = WithArticleVectors(TfidfVectorizer(), ArticleVectors(wv, 0.5))
    >>> step.fit_transform(["mưa to", "nắng"]).toarray().round(2).tolist()
    [[0.71, 0.0, 0.71, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0, 0.0]]
    """

    def __init__(self, tfidf, vectors: ArticleVectors) -> None:
        self.tfidf = tfidf
        self.vectors = vectors

    def fit(self, X, y=None) -> WithArticleVectors:
        """Fit the TF-IDF step; returns ``self``."""
        self.tfidf.fit(X, y)
        self.vectors.fit(X, y)
        return self

    def fit_transform(self, X, y=None) -> sp.csr_matrix:
        """Fit, and return the joined columns of the texts fitted on."""
        X = list(X)
        return sp.hstack(
            [self.tfidf.fit_transform(X, y), self.vectors.fit_transform(X, y)], format="csr"
        )

    def transform(self, X) -> sp.csr_matrix:
        """The TF-IDF columns of each segmented text, then its weighted article vector."""
        X = list(X)
        return sp.hstack([self.tfidf.transform(X), self.vectors.transform(X)], format="csr")


def _known_ids(texts: Iterable[str], index: dict[str, int]) -> Iterator[list[np.ndarray]]:
    """The ids of the known words of each text (an unknown word is removed: it breaks no
    window), in lists of texts holding about :data:`_SLICE_TOKENS` known words."""
    get = index.get
    texts_ids: list[np.ndarray] = []
    tokens = 0
    for text in texts:
        ids = np.array([i for i in map(get, text.lower().split()) if i is not None], np.int64)
        texts_ids.append(ids)
        tokens += len(ids)
        if tokens >= _SLICE_TOKENS:
            yield texts_ids
            texts_ids, tokens = [], 0
    if texts_ids:
        yield texts_ids


def _pair_counts(texts_ids: list[np.ndarray], size: int, window: int, scale: int) -> sp.csr_matrix:
    """Counts (int64) of word pairs ``(left, right)`` at most ``window`` apart within a
    text, each weighted ``scale // distance`` (``scale`` a multiple of every distance):
    exact, whatever the order in which they are summed."""
    lengths = np.fromiter(map(len, texts_ids), np.int64, count=len(texts_ids))
    ids = np.insert(np.concatenate(texts_ids), np.cumsum(lengths), -1)  # -1 ends a text
    text_no = np.cumsum(ids == -1)
    rows, cols, weights = [], [], []
    for distance in range(1, window + 1):
        left, right = ids[:-distance], ids[distance:]
        same = (left >= 0) & (right >= 0) & (text_no[:-distance] == text_no[distance:])
        rows.append(left[same])
        cols.append(right[same])
        weights.append(np.full(len(rows[-1]), scale // distance, dtype=np.int64))
    pairs = (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols)))
    counts = sp.coo_matrix(pairs, shape=(size, size)).tocsr()
    counts.sum_duplicates()
    return counts


def _count_pool(texts: Iterable[str], index: dict[str, int], window: int) -> tuple:
    """Symmetric co-occurrence counts of the known words (float64, pairs weighted
    1/distance) and the number of texts each word occurs in.

    Texts are read a slice at a time, so that memory grows with the number of distinct
    pairs, not with the size of the pool; the weights are summed as integers and divided
    once, so the counts do not depend on where the slices end."""
    size, scale = len(index), math.lcm(*range(1, window + 1))
    pairs = sp.csr_matrix((size, size), dtype=np.int64)
    in_texts = np.zeros(size, dtype=np.int64)
    for texts_ids in _known_ids(texts, index):
        pairs = pairs + _pair_counts(texts_ids, size, window, scale)
        seen = [np.unique(ids) for ids in texts_ids]
        in_texts += np.bincount(np.concatenate(seen), minlength=size)
    counts = (pairs + pairs.T).tocsr().astype(np.float64)
    counts.data /= scale
    return counts, in_texts


def _ppmi(counts: sp.csr_matrix, smoothing: float = 0.75) -> sp.csr_matrix:
    """Positive PMI (float64), with the context distribution smoothed (power 0.75)."""
    total = counts.sum()
    word = np.asarray(counts.sum(axis=1)).ravel() / total
    context = np.asarray(counts.sum(axis=0)).ravel() ** smoothing
    context /= context.sum()
    coo = counts.tocoo()
    pmi = np.log(coo.data / total / word[coo.row] / context[coo.col])
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)


def check_vector_settings(settings: dict) -> None:
    """Raise ``ValueError`` if a setting of :func:`learn_word_vectors` in ``settings``
    (``dim``, ``window``, ``min_count``; those missing are not checked) is unusable.

    Examples
    --------
    >>> check_vector_settings({"dim": 150, "window": 50})
    Traceback (most recent call last):
    ...
    ValueError: word vectors: window must be a whole number from 1 to 20, got 50
    """
    for name in VECTOR_SETTINGS:
        value = settings.get(name, 1)
        top = MAX_WINDOW if name == "window" else None
        if (
            isinstance(value, bool)
            or not isinstance(value, Integral)
            or not 1 <= value <= (top or value)
        ):
            limit = f"from 1 to {top}" if top else "of at least 1"
            raise ValueError(f"word vectors: {name} must be a whole number {limit}, got {value!r}")


def learn_word_vectors(
    segmented: Iterable[str],
    *,
    dim: int = 150,
    window: int = 5,
    min_count: int = 5,
    random_state: int = 0,
) -> WordVectors:
    """Learn word vectors from segmented texts (PPMI of co-occurrences + truncated SVD).

    The texts are read twice: ``segmented`` is a list, or any iterable that gives the
    same texts each time it is iterated (such as
    :class:`~newscat.training.train.SegmentedPool`, which holds no text in memory); a
    one-pass iterator is read into a list first. Words seen fewer than ``min_count``
    times are left out; pairs of words up to ``window`` tokens apart in one text count,
    the nearer the more. The SVD is seeded with ``random_state`` and computed in
    float64: the same texts give the same vectors on any CPU. (In float32 the SVD's last
    bits depend on which kernels the linear-algebra library picks for the CPU, AVX2 or
    AVX-512, and about one int8 value in 1,200 rounds the other way.)

    Examples
    --------
    >>> texts = ["mưa bão lớn", "bão gây mưa lớn", "kẻ trộm bị bắt", "bắt kẻ trộm"] * 3
    >>> wv = learn_word_vectors(texts, dim=2, min_count=2)
    >>> len(wv), wv.dim
    (8, 2)
    """
    check_vector_settings({"dim": dim, "window": window, "min_count": min_count})
    texts = list(segmented) if isinstance(segmented, Iterator) else segmented  # read twice
    frequency: Counter[str] = Counter()
    n_texts = 0
    for text in texts:
        frequency.update(text.lower().split())
        n_texts += 1
    terms = sorted(
        (t for t, c in frequency.items() if c >= min_count), key=lambda t: (-frequency[t], t)
    )
    if len(terms) <= dim:
        raise ValueError(
            f"word vectors: only {len(terms)} words occur {min_count} times or more, "
            f"too few for {dim} dimensions; give more text or lower dim / min_count"
        )
    counts, in_texts = _count_pool(texts, {term: i for i, term in enumerate(terms)}, window)
    u, s, _ = randomized_svd(_ppmi(counts), dim, n_iter=5, random_state=random_state)
    vectors = u * np.sqrt(s)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    weights = np.log((1 + n_texts) / (1 + in_texts.astype(np.float64))) + 1
    return WordVectors(
        terms, np.round(vectors * _QUANT).astype(np.int8), weights.astype(np.float32)
    )
