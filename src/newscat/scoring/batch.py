"""Labelling one batch of records: one result per record, in order, whatever fails.

:func:`score_records` is the unit of work every engine runs (in this process, in a
worker process or on a Dask worker); the results it gives have the fields of
:data:`~newscat.schema.RESULT_FIELDS` and ``error``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from threadpoolctl import threadpool_limits

from ..classifier.estimator import NewsClassifier
from ..classifier.explanation import Explanation, explain_many
from ..classifier.prediction import Prediction
from ..readers.archive import Record
from ..runtime import use
from ..schema import ERROR_FIELD, EXPLANATION_FIELD, RESULT_FIELDS, no_prediction
from .model import model_name_version

__all__ = ["DEFAULT_BATCH_SIZE", "Submit", "score_records"]

DEFAULT_BATCH_SIZE = 256
# Records are labelled without the on-disk segmentation cache (an archive would fill it
# with texts seen once), nested processes or progress bars.
SCORING_RUNTIME = {"cache_dir": False, "n_jobs": 1, "progress": False}
# Each engine runs one labelling process per core, so the linear algebra of a batch (the
# neighbour votes' product) runs on one thread: two per process slowed `--jobs 2` by 18 %.
SCORING_BLAS_THREADS = 1
_EMPTY_AFTER_CLEANING = "empty text after cleaning and normalisation"
# Failures of one text inside the model; anything else (a missing module, a bug)
# would fail every record alike, so it stops the run instead of filling the errors file.
_RECORD_FAILURES = (
    ArithmeticError,
    LookupError,
    MemoryError,
    RecursionError,
    TypeError,
    ValueError,
)
# What an engine offers: submit(batch) returns a future whose .result() is the results.
Submit = Callable[[list[Record]], Any]
Outcome = Prediction | Explanation | None | str  # None: empty after cleaning; str: failed


def score_records(
    model: NewsClassifier,
    records: Sequence[Record],
    *,
    top_k: int = 3,
    clean: bool | None = None,
    explain: int = 0,
) -> list[dict[str, Any]]:
    """Label a batch of records: one result per record, in order.

    A result has the :data:`~newscat.schema.RESULT_FIELDS` and ``error``: None for a
    labelled record; for a record with a reader error, or one the model cannot label, the
    reason, with ``label``, ``name``, ``score`` and ``reason`` None, an empty
    ``top_k`` and ``uncertain`` true (it needs a person). HTML pages are turned into
    text here (:meth:`~newscat.readers.archive.Record.resolve`), so that it runs in workers.
    With ``explain`` above 0, a labelled record's result also has
    :data:`~newscat.schema.EXPLANATION_FIELD`: the ``explain`` terms that raised its
    label's score most (:mod:`newscat.classifier.explanation`).

    Examples
    --------
    >>> clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> results = score_records(clf, [Record("a", "trời mưa bão"), Record("b", error="empty text")])
    >>> [(r["id"], r["label"], r["error"]) for r in results]
    [('a', 'weather', None), ('b', None, 'empty text')]
    """
    name, version = model_name_version(model)
    records = [record.resolve() for record in records]
    texts = [record.text for record in records if record.error is None]
    with use(**SCORING_RUNTIME), threadpool_limits(SCORING_BLAS_THREADS, user_api="blas"):
        predictions = iter(_classify(model, texts, top_k=top_k, clean=clean, explain=explain))
    results = []
    for record in records:
        outcome = record.error if record.error is not None else next(predictions)
        results.append(_result(record.id, outcome, name, version))
    return results


def _classify(
    model: NewsClassifier, texts: list[str], *, top_k: int, clean: bool | None, explain: int = 0
) -> list[Outcome]:
    """Predictions (explained with ``explain`` terms, if above 0), or why a text failed."""
    if not texts:
        return []

    def label(batch: list[str]) -> list[Outcome]:
        if explain:
            return explain_many(model, batch, top=explain, top_k=top_k, clean=clean)
        return model.classify_many(batch, top_k=top_k, clean=clean)

    try:
        return label(texts)
    except _RECORD_FAILURES:  # one bad text must not sink its batch: find it
        return [_classify_one(label, text) for text in texts]


def _classify_one(label: Callable[[list[str]], list[Outcome]], text: str) -> Outcome:
    try:
        return label([text])[0]
    except _RECORD_FAILURES as exc:
        return f"model error: {type(exc).__name__}: {exc}"


def _result(id_: str, outcome: Outcome, model: str, version: str) -> dict[str, Any]:
    terms = None
    if isinstance(outcome, Explanation):
        outcome, terms = outcome.prediction, outcome.raised_terms()
    if isinstance(outcome, Prediction) and outcome.label is not None:
        fields, error = outcome.to_dict(), None
    else:
        fields = no_prediction()
        error = outcome if isinstance(outcome, str) else _EMPTY_AFTER_CLEANING
    values = {"id": id_, **fields, "model": model, "model_version": version}
    result = {name: values[name] for name in RESULT_FIELDS}
    if terms is not None and error is None:
        result[EXPLANATION_FIELD] = terms
    return {**result, ERROR_FIELD: error}
