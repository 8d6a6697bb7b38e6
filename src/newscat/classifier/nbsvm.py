"""A linear SVM per label over features weighted by naive Bayes log-count ratios.

For each label, a term gets the weight ``r`` = log of how much more often it occurs in
that label's texts than in the others' (both smoothed with ``alpha`` and made shares of
all terms), taken to the power ``ratio_power`` with its sign kept; a binary
:class:`~sklearn.svm.LinearSVC` then learns that label against the rest on the weighted
columns (Wang and Manning's NBSVM, with the ratios softened). Terms typical of one label
start ahead, so a short item with one telling word is read better than by a plain SVM.

The weighting is folded into the coefficients after fitting (``coef_ = w × r``), so the
fitted model is an ordinary linear model: predicting costs exactly what a LinearSVC
costs, and explanations read its ``coef_`` as they read any other.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .prediction import labels_by_decision

__all__ = ["NBSVMClassifier", "log_count_ratios"]


def log_count_ratios(present: sp.csr_matrix, positive: np.ndarray, alpha: float) -> np.ndarray:
    """Log of each column's smoothed share among ``positive`` rows over its share
    among the other rows; ``present`` holds 1 where a row has the column.

    Examples
    --------
    >>> present = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1]]))
    >>> np.round(log_count_ratios(present, np.array([True, True, False]), 1.0), 3).tolist()
    [0.588, -0.511]
    """
    inside = alpha + np.asarray(present[positive].sum(axis=0), dtype=np.float64).ravel()
    outside = alpha + np.asarray(present[~positive].sum(axis=0), dtype=np.float64).ravel()
    return np.log(inside / inside.sum()) - np.log(outside / outside.sum())


class NBSVMClassifier(ClassifierMixin, BaseEstimator):
    """One binary LinearSVC per label over log-count-ratio weighted features.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of each LinearSVC.
    class_weight : None, "balanced" or dict
        ``"balanced"`` weighs each binary problem's two sides by their sizes; a dict
        gives each sample the weight of its label.
    ratio_power : float
        Power of the log-count ratios (sign kept): 1 is plain NBSVM, smaller values
        soften the weighting, 0 turns it off.
    alpha : float
        Smoothing count added to every column before the ratios are taken.
    unweighted_tail : int
        The last ``unweighted_tail`` columns (a dense block, such as article vectors)
        keep the weight 1: presence ratios mean nothing for columns every text has.
    random_state : int, RandomState or None
        Seed of the LinearSVC solver.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_features), or (1, n_features) for two labels
        The SVM weights times the ratios: ``X @ coef_.T + intercept_`` is the decision.
    intercept_ : ndarray of shape (n_classes,) or (1,)

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1., 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 1]]))
    >>> clf = NBSVMClassifier(unweighted_tail=1).fit(X, ["bão", "bão", "trộm", "trộm"])
    >>> clf.predict(sp.csr_matrix(np.array([[1., 0, 0], [0, 1, 0]]))).tolist()
    ['bão', 'trộm']
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "ratio_power": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "unweighted_tail": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        C: float = 1.0,
        *,
        class_weight: str | dict | None = None,
        ratio_power: float = 0.3,
        alpha: float = 1.0,
        unweighted_tail: int = 0,
        random_state=None,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.ratio_power = ratio_power
        self.alpha = alpha
        self.unweighted_tail = unweighted_tail
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y) -> NBSVMClassifier:
        """Learn one weighted LinearSVC per label; returns ``self``."""
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=(np.float64, np.float32))
        if self.unweighted_tail > X.shape[1]:
            raise ValueError(
                f"unweighted_tail={self.unweighted_tail} is more than the {X.shape[1]} columns of X"
            )
        binarizer = LabelBinarizer().fit(y)
        self.classes_ = binarizer.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"NBSVMClassifier needs two or more labels, got {len(self.classes_)}")
        targets = binarizer.transform(y).astype(bool).T
        matrix = sp.csr_matrix(X)
        present = (matrix[:, : X.shape[1] - self.unweighted_tail] != 0).astype(np.int8)
        # "balanced" weighs the two sides of each binary problem; a dict, each sample
        sample_weight = None
        if isinstance(self.class_weight, dict):
            sample_weight = np.array([self.class_weight.get(label, 1.0) for label in y])
        side_weight = "balanced" if self.class_weight == "balanced" else None
        coefs, intercepts = [], []
        for positive in targets:
            scale = self._column_weights(present, positive)
            svm = LinearSVC(C=self.C, class_weight=side_weight, random_state=self.random_state)
            svm.fit(matrix @ sp.diags(scale), positive.astype(int), sample_weight=sample_weight)
            coefs.append(svm.coef_.ravel() * scale)
            intercepts.append(svm.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.asarray(intercepts)
        return self

    def _column_weights(self, present: sp.csr_matrix, positive: np.ndarray) -> np.ndarray:
        ratios = log_count_ratios(present, positive, self.alpha)
        weights = np.sign(ratios) * np.abs(ratios) ** self.ratio_power
        return np.concatenate([weights, np.ones(self.unweighted_tail)])

    def decision_function(self, X) -> np.ndarray:
        """Decision values: one column per label (one value per row for two labels)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X) -> np.ndarray:
        """The label of each row: the highest decision value."""
        return labels_by_decision(self.classes_, self.decision_function(X))
