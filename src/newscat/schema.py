"""The result record: every field newscat gives for a labelled text, in order.

One table, :data:`RESULT_SCHEMA`, from which everything that writes a result is
derived: :meth:`~newscat.classifier.estimator.Prediction.to_dict` (the prediction
fields), the rows of :func:`~newscat.scoring.batch.score_records`, the JSON Lines,
CSV and Parquet outputs (:mod:`newscat.scoring.outputs`) and the columns of
:func:`~newscat.scoring.engines.dask.score_dataframe`. Adding a field is one row
here, and filling its value where it comes from.

Kinds and how each output stores them:

=========  ===========  ==========  =====================  ===================
kind       JSON Lines   CSV         Parquet                pandas (Dask)
=========  ===========  ==========  =====================  ===================
text       string/null  text        string                 string
number     number/null  number      float64                float64
flag       true/false   true/false  bool                   bool
ranking    list of      JSON text   list<struct<label:     JSON text
           {label,                  string, score:
           score}                   float64>>
terms      list of      JSON text   list<struct<term,      JSON text
           {term, kind,             kind: string,
           contrib-                 contribution:
           ution}                   float64>>
=========  ===========  ==========  =====================  ===================

A result asked to explain itself (``newscat score --explain N``) has one more field
at the end, :data:`EXPLANATION` (:func:`result_schema`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ERROR_FIELD",
    "EXPLANATION",
    "EXPLANATION_FIELD",
    "PREDICTION_FIELDS",
    "RESULT_FIELDS",
    "RESULT_SCHEMA",
    "Field",
    "no_prediction",
    "plain_value",
    "result_schema",
]


@dataclass(frozen=True)
class Field:
    """One field of a result: its name, kind, where its value comes from, and the
    value it takes when there is no prediction (a record that could not be labelled)."""

    name: str
    kind: str  # "text", "number", "flag", "ranking" or "terms"
    source: str  # "record", "prediction", "model" or "explanation"
    missing: Any = None


RESULT_SCHEMA: tuple[Field, ...] = (
    Field("id", "text", "record"),  # the record's id
    Field("label", "text", "prediction"),  # the best label
    Field("name", "text", "prediction"),  # its display name
    Field("score", "number", "prediction"),  # its calibrated score
    Field("top_k", "ranking", "prediction", missing=()),  # (label, score), best first
    Field("uncertain", "flag", "prediction", missing=True),  # a person should look at it
    Field("reason", "text", "prediction"),  # why it is uncertain
    Field("model", "text", "model"),  # the model's name
    Field("model_version", "text", "model"),  # the newscat version that saved it
)
RESULT_FIELDS = tuple(field.name for field in RESULT_SCHEMA)
PREDICTION_FIELDS = tuple(field.name for field in RESULT_SCHEMA if field.source == "prediction")
# The terms that raised the label's score most (newscat.classifier.explanation).
EXPLANATION = Field("explanation", "terms", "explanation", missing=())
EXPLANATION_FIELD = EXPLANATION.name
# Results of a batch also say why a record was not labelled (None when it was).
ERROR_FIELD = "error"


def result_schema(explain: bool = False) -> tuple[Field, ...]:
    """The fields of a result, in order; with ``explain``, :data:`EXPLANATION` last.

    Examples
    --------
    >>> [field.name for field in result_schema(explain=True)][-2:]
    ['model_version', 'explanation']
    """
    return (*RESULT_SCHEMA, EXPLANATION) if explain else RESULT_SCHEMA


def plain_value(kind: str, value: Any) -> Any:
    """``value`` as plain data (JSON-able): a ranking becomes a list of ``{label, score}``.

    Examples
    --------
    >>> plain_value("ranking", [("weather", 0.9), ("crime", 0.1)])
    [{'label': 'weather', 'score': 0.9}, {'label': 'crime', 'score': 0.1}]
    >>> plain_value("number", 0.5)
    0.5
    """
    if kind == "ranking":
        return [{"label": label, "score": score} for label, score in value]
    return value


def no_prediction() -> dict[str, Any]:
    """The prediction fields of a record that could not be labelled.

    Examples
    --------
    >>> no_prediction()
    {'label': None, 'name': None, 'score': None, 'top_k': [], 'uncertain': True, 'reason': None}
    """
    fields = [field for field in RESULT_SCHEMA if field.source == "prediction"]
    return {field.name: plain_value(field.kind, field.missing) for field in fields}
