"""Calibrated scores of a fitted model step, by scikit-learn's arithmetic without its checks.

The models of :class:`~newscat.classifier.estimator.NewsClassifier` that have no
probabilities of their own are wrapped in ``CalibratedClassifierCV(method="temperature",
ensemble=False)``: one linear model and one temperature. Its ``predict_proba`` checks its
input several times on every call, which costs more (about 1.5 ms) than the product
itself when one article is labelled. :func:`calibrated_scores` takes the same steps
directly: the decision values ``X @ coef_.T + intercept_`` (plus the neighbour votes of
a :class:`~newscat.classifier.neighbours.NeighbourVotes`), two columns ``(-d, d)`` for
two labels, the softmax of the temperature's ``beta_`` times them, and scores a rounding
error above 1 set to 1. Any other model step takes its own ``predict_proba``.
"""

from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.utils.extmath import softmax

from .neighbours import NeighbourVotes, linear_decision

__all__ = ["calibrated_scores"]


def _temperature_scaled(model):
    """(linear model, calibrator) of a temperature-scaled linear model, else None."""
    if not isinstance(model, CalibratedClassifierCV) or model.method != "temperature":
        return None
    fitted = getattr(model, "calibrated_classifiers_", [])
    if len(fitted) != 1 or len(fitted[0].calibrators) != 1:
        return None
    linear, calibrator = fitted[0].estimator, fitted[0].calibrators[0]
    if isinstance(linear, NeighbourVotes) or (
        hasattr(linear, "coef_") and hasattr(linear, "decision_function")
    ):
        return linear, calibrator
    return None


def calibrated_scores(model, X) -> np.ndarray:
    """``model.predict_proba(X)``: the same scores, computed directly for a
    temperature-scaled linear model.

    Examples
    --------
    >>> from sklearn.svm import LinearSVC
    >>> X, y = np.array([[0.0, 1], [1, 0], [1, 1], [0, 0]] * 3), [0, 1, 1, 0] * 3
    >>> model = CalibratedClassifierCV(LinearSVC(), method="temperature", ensemble=False)
    >>> model = model.fit(X, y)
    >>> bool(np.allclose(calibrated_scores(model, X), model.predict_proba(X)))
    True
    """
    parts = _temperature_scaled(model)
    if parts is None:
        return model.predict_proba(X)
    linear, calibrator = parts
    if isinstance(linear, NeighbourVotes):
        decision = linear.decision_values(X)
    else:
        decision = linear_decision(linear, X)
    if decision.shape[1] == 1:
        decision = np.hstack([-decision, decision])
    proba = softmax(calibrator.beta_ * decision)
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba
