"""A labelled text (:class:`Prediction`), the rule that makes it uncertain, and the label a
row of decision values picks (:func:`labels_by_decision`).

A result is uncertain, with the reason, when the text is out of domain
(:mod:`newscat.classifier.domain`), its top score is below ``min_score``, or its top
two scores are closer than ``min_margin``; an empty text has no label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..schema import PREDICTION_FIELDS, RESULT_SCHEMA, plain_value

__all__ = ["Prediction", "labels_by_decision", "predictions_from_scores"]


def labels_by_decision(classes: np.ndarray, decision: np.ndarray) -> np.ndarray:
    """The label of each row's highest decision value; with one value per row (two
    labels, as scikit-learn gives them), ``classes[1]`` when it is above 0.

    Examples
    --------
    >>> classes = np.array(["crime", "weather"])
    >>> labels_by_decision(classes, np.array([0.5, -0.2])).tolist()
    ['weather', 'crime']
    >>> labels_by_decision(classes, np.array([[0.1, 0.3]])).tolist()
    ['weather']
    """
    if decision.ndim == 1:
        return classes[(decision > 0).astype(int)]
    return classes[decision.argmax(axis=1)]


@dataclass(frozen=True)
class Prediction:
    """One labelled text.

    ``label`` is ``None`` (and ``score`` 0) for an empty text; ``uncertain`` marks a
    result to send to a person (see :meth:`NewsClassifier.classify`).
    """

    label: str | None
    name: str | None
    score: float
    top_k: list[tuple[str, float]] = field(default_factory=list)
    uncertain: bool = True
    reason: str | None = None

    def to_dict(self) -> dict:
        """Plain-data form, for JSON output: the prediction fields of :mod:`newscat.schema`.

        Examples
        --------
        >>> Prediction("crime", "Hình sự", 0.8, [("crime", 0.8)], False).to_dict()["top_k"]
        [{'label': 'crime', 'score': 0.8}]
        """
        return {
            field.name: plain_value(field.kind, getattr(self, field.name))
            for field in RESULT_SCHEMA
            if field.name in PREDICTION_FIELDS
        }


def predictions_from_scores(
    scores: np.ndarray,
    classes: Sequence,
    *,
    top_k: int,
    min_score: float,
    min_margin: float,
    label_names: Mapping[str, str] | None = None,
    domains: Sequence[str | None] | None = None,
) -> list[Prediction]:
    """The result for each row of calibrated scores (texts x labels), columns aligned
    with ``classes``.

    ``domains`` holds why each text is out of domain, or None (that reason wins).

    Examples
    --------
    >>> scores = np.array([[0.9, 0.1], [0.55, 0.45], [0.0, 0.0]])
    >>> results = predictions_from_scores(scores, ["crime", "weather"], top_k=1, min_score=0.5,
    ...                                   min_margin=0.2)
    >>> [(p.label, p.reason) for p in results]
    [('crime', None), ('crime', 'top two scores within 0.2'), (None, 'empty text')]
    """
    names = [str(label) for label in classes]
    shown = {label: (label_names or {}).get(label, label) for label in names}
    order = np.argsort(-scores, axis=1)[:, : max(top_k, 2)]  # the margin needs two
    ranked_scores = np.take_along_axis(scores, order, axis=1).tolist()
    empty = (scores.sum(axis=1) == 0).tolist()
    domains = [None] * len(scores) if domains is None else domains
    predictions = []
    for columns, values, is_empty, reason in zip(order.tolist(), ranked_scores, empty, domains):
        if is_empty:
            predictions.append(Prediction(None, None, 0.0, [], True, "empty text"))
            continue
        ranked = [(names[i], round(value, 4)) for i, value in zip(columns, values)]
        label, score = ranked[0]
        margin = score - (ranked[1][1] if len(ranked) > 1 else 0.0)
        if reason is None and score < min_score:
            reason = f"top score {score:.2f} below {min_score}"
        elif reason is None and margin < min_margin:
            reason = f"top two scores within {min_margin}"
        prediction = Prediction(
            label, shown[label], score, ranked[:top_k], reason is not None, reason
        )
        predictions.append(prediction)
    return predictions
