"""A linear model's decision values, joined by the votes of the most similar training articles.

A linear model weighs each term on its own; two articles about the same kind of event
can share few terms, most of all when each is a headline and one sentence. Their
article vectors (:mod:`newscat.classifier.word_vectors`) are close all the same.
:class:`NeighbourVotes` keeps the article vector of every training text (int8, unit
length times 127) and adds to each label's decision value ``weight`` times the share
of that label among the ``n_neighbors`` training texts nearest by cosine similarity,
each counted by its similarity. The result is still a decision value per label, so
calibration, uncertainty and explanations work as for the linear model alone; the
votes are one more contribution (:mod:`newscat.classifier.explanation`).

The search for each text's nearest remembered texts runs in C (``_nearest.c``, built by
``pip install`` where a C compiler is at hand): one pass over each row of similarities
keeps the largest few, where ``numpy.argpartition`` took longer than the product that
made them. Elsewhere the same sums come from numpy (tested to be equal).
"""

from __future__ import annotations

import weakref
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .prediction import labels_by_decision

try:
    from . import _nearest as _compiled
except ImportError:  # built by pip where a C compiler is at hand; else numpy
    _compiled = None

__all__ = ["NeighbourVotes", "linear_decision"]

_QUANT = 127.0
# Each fitted model's remembered vectors as float32 (/ 127), built on first use and not
# saved with the model: the int8 copy is a quarter of the size.
_MEMORY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Similarities computed at once (texts x remembered texts; 16 MB of float32): labelling
# 50,000 texts against 34,000 remembered ones in one piece would take tens of GB.
_SLICE_CELLS = 4_000_000
# The compiled search keeps a sorted buffer of the nearest texts, each insertion costing
# up to its length: beyond this many neighbours numpy's partition is faster.
_COMPILED_MAX_NEIGHBORS = 64


def linear_decision(linear, X) -> np.ndarray:
    """``X @ coef_.T + intercept_``: a fitted linear model's decision values without
    scikit-learn's input checks (one column for two labels, as scikit-learn gives).

    Examples
    --------
    >>> from sklearn.svm import LinearSVC
    >>> X, y = np.array([[0.0, 1], [1, 0]] * 3), [0, 1] * 3
    >>> svm = LinearSVC().fit(X, y)
    >>> bool(np.allclose(linear_decision(svm, X).ravel(), svm.decision_function(X)))
    True
    """
    return np.asarray(X @ linear.coef_.T) + linear.intercept_


def nearest_weights(similarity: np.ndarray, labels: np.ndarray, n_labels: int, k: int):
    """Each row's ``k`` largest positive similarities, added up by the label of their column.

    Of equal similarities, the lowest columns are taken first. ``similarity`` is
    float32 (texts x remembered texts), ``labels`` the int32 label index of each column.

    Examples
    --------
    >>> similarity = np.array([[0.9, 0.2, 0.5, -0.3], [0.1, 0.1, 0.1, 0.0]], np.float32)
    >>> nearest_weights(similarity, np.array([0, 1, 1, 0], np.int32), 2, 2).round(2).tolist()
    [[0.9, 0.5], [0.1, 0.1]]
    """
    if _compiled is None or k > _COMPILED_MAX_NEIGHBORS:
        return _nearest_weights_python(similarity, labels, n_labels, k)
    sums = np.zeros((len(similarity), n_labels))
    _compiled.nearest_weights(similarity, labels, k, sums)
    return sums


def _nearest_weights_python(similarity, labels, n_labels: int, k: int) -> np.ndarray:
    """:func:`nearest_weights` in numpy (the compiled module's fallback and reference)."""
    positive = np.where(similarity > 0, similarity, np.float32(0))
    rows, n = positive.shape
    k = min(k, n)
    kth = np.partition(positive, n - k, axis=1)[:, n - k, None]
    chosen = (positive > kth) | ((positive == kth) & (positive > 0))
    for row in np.flatnonzero(chosen.sum(axis=1) > k):  # ties at the k-th: lowest columns
        tied = np.flatnonzero(positive[row] == kth[row])
        chosen[row, tied[k - np.count_nonzero(positive[row] > kth[row]) :]] = False
    row, column = np.nonzero(chosen)
    cells = row * n_labels + labels[column]
    sums = np.bincount(cells, positive[row, column], minlength=rows * n_labels)
    return sums.reshape(rows, n_labels)


def _unit_rows(block) -> np.ndarray:
    rows = np.asarray(block.toarray() if sp.issparse(block) else block, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-9)


class NeighbourVotes(ClassifierMixin, BaseEstimator):
    """A linear model plus ``weight`` times the label shares of the nearest training texts.

    Parameters
    ----------
    estimator : linear classifier
        Fitted on all columns; its decision values are the base of the scores.
    n_neighbors : int
        How many training texts vote for each text.
    weight : float
        Weight (above 0) of the votes, each between 0 and 1, beside the decision values.
    dim : int
        The last ``dim`` columns of ``X`` are the article vector the neighbours are
        found by.

    Examples
    --------
    >>> from sklearn.svm import LinearSVC
    >>> X = np.array([[1.0, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0.9, 0.1], [0, 1, 0.1, 0.9]])
    >>> model = NeighbourVotes(LinearSVC(), n_neighbors=1, weight=0.5, dim=2)
    >>> model = model.fit(X, ["a", "b", "a", "b"])
    >>> model.votes(np.array([[0.0, 0, 0.2, 1]])).tolist()
    [[0.0, 1.0]]
    >>> model.predict(np.array([[0.0, 0, 0.2, 1]])).tolist()
    ['b']
    """

    _parameter_constraints: dict = {
        "estimator": [object],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "weight": [Interval(Real, 0, None, closed="neither")],
        "dim": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, estimator, *, n_neighbors: int = 5, weight: float = 0.5, dim: int = 150):
        self.estimator = estimator
        self.n_neighbors = n_neighbors
        self.weight = weight
        self.dim = dim

    def fit(self, X, y) -> NeighbourVotes:
        """Fit the linear model and remember each text's article vector and label."""
        self._validate_params()
        if self.dim > X.shape[1]:
            raise ValueError(f"dim={self.dim} is more than the {X.shape[1]} columns of X")
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = X.shape[1]
        rows = _unit_rows(X[:, X.shape[1] - self.dim :])
        self.memory_ = np.round(rows * _QUANT).astype(np.int8)
        index = {label: i for i, label in enumerate(self.classes_)}
        self.memory_labels_ = np.array([index[label] for label in y], dtype=np.int32)
        return self

    def votes(self, X) -> np.ndarray:
        """Each label's share (0 to 1) among the ``n_neighbors`` training texts most
        similar to each row of ``X``, each counted by its cosine similarity (those
        below 0 not at all); a text similar to none gets zeros.

        Rows are compared with the training texts a slice at a time (about
        :data:`_SLICE_CELLS` similarities), so that memory does not grow with ``X``.
        """
        check_is_fitted(self, "memory_")
        memory = _MEMORY.get(self)
        if memory is None:
            memory = _MEMORY[self] = self.memory_.T.astype(np.float32) / _QUANT
        vectors = _unit_rows(X[:, X.shape[1] - self.dim :])
        step = max(1, _SLICE_CELLS // memory.shape[1])
        votes = np.zeros((len(vectors), len(self.classes_)))
        for start in range(0, len(vectors), step):
            votes[start : start + step] = self._slice_votes(vectors[start : start + step], memory)
        return votes

    def _slice_votes(self, vectors: np.ndarray, memory: np.ndarray) -> np.ndarray:
        similarity = vectors @ memory
        votes = nearest_weights(
            similarity, self.memory_labels_, len(self.classes_), self.n_neighbors
        )
        totals = votes.sum(axis=1, keepdims=True)
        return np.divide(votes, totals, out=np.zeros_like(votes), where=totals > 0)

    def vote_decision(self, X) -> np.ndarray:
        """What the votes add to the decision values (one column for two labels)."""
        added = self.weight * self.votes(X)
        return added[:, 1:] - added[:, :1] if len(self.classes_) == 2 else added

    def decision_values(self, X) -> np.ndarray:
        """The linear model's decision values plus the weighted votes, always 2-D."""
        return linear_decision(self.estimator_, X) + self.vote_decision(X)

    def decision_function(self, X) -> np.ndarray:
        """:meth:`decision_values`, one-dimensional for two labels (as scikit-learn's)."""
        decision = self.decision_values(X)
        return decision.ravel() if decision.shape[1] == 1 else decision

    def predict(self, X) -> np.ndarray:
        """The label with the highest decision value."""
        return labels_by_decision(self.classes_, self.decision_function(X))
