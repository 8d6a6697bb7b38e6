"""A second stage over the linear model: gradient-boosted trees that re-weigh its scores.

The linear model sees each term on its own. The second stage sees, per article, the
linear model's decision values for every topic beside the article's and headline's
word vectors (:mod:`newscat.word_vectors`) and its length, and learns where the
linear scores go wrong: mostly a short item read as ``other`` that its words place
in a topic, or the reverse. It is trained on out-of-fold decision values, so it
learns from scores like the ones it will see on new articles, not from the scores
of articles the linear model has memorised.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict

__all__ = ["BOOSTER_PARAMS", "new_booster", "out_of_fold_decisions", "stage_inputs"]

# Settings of the boosted trees, chosen by cross-validation on the labor5 data.
BOOSTER_PARAMS = {"max_iter": 300, "learning_rate": 0.05, "class_weight": "balanced"}


def new_booster(random_state) -> HistGradientBoostingClassifier:
    """The (unfitted) second-stage model.

    Examples
    --------
    >>> new_booster(0).max_iter
    300
    """
    return HistGradientBoostingClassifier(**BOOSTER_PARAMS, random_state=random_state)


def out_of_fold_decisions(linear, X, labels: list[str], folds: int, random_state) -> np.ndarray:
    """Decision values of ``linear`` for each row of ``X``, from a model that did not see it.

    Examples
    --------
    >>> from sklearn.svm import LinearSVC
    >>> X = np.array([[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]])
    >>> out_of_fold_decisions(LinearSVC(), X, list("aaabbb"), 3, 0).shape
    (6,)
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    return cross_val_predict(clone(linear), X, labels, cv=splitter, method="decision_function")


def stage_inputs(
    decisions: np.ndarray,
    article_vectors: np.ndarray,
    headline_vectors: np.ndarray,
    lengths: list[int],
) -> np.ndarray:
    """The second stage's columns: decision values, both vectors, log of the length.

    Examples
    --------
    >>> stage_inputs(np.zeros((1, 2)), np.ones((1, 3)), np.ones((1, 3)), [99]).shape
    (1, 9)
    """
    length = np.log1p(np.asarray(lengths, dtype=np.float32))[:, None]
    return np.hstack([decisions, article_vectors, headline_vectors, length]).astype(np.float32)
