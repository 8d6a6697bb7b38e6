"""Label archives on a Dask cluster: the ``engine="dask"`` of score_archive, and Dask collections.

- ``score_archive(..., engine="dask", scheduler=ADDRESS)`` (``newscat score --engine
  dask --scheduler ADDRESS``) runs the same job as the local engine on a
  dask.distributed cluster: the client reads the archive and sends batches of records
  to the workers as tasks, with the model scattered to every worker once; it writes
  the results in input order with the same writers, checkpoints and resume as the
  local engine, so the files are identical. Without an address, a local cluster of
  ``jobs`` worker processes is started for the run.
- :func:`score_bag` and :func:`score_dataframe` label a Dask bag of records or a Dask
  DataFrame lazily and return a bag / DataFrame of results, to compute or write as
  the user likes; a model given as a folder is loaded once per worker process.

Workers need newscat installed; a model given as a folder must be readable by them.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...classifier.estimator import NewsClassifier
from ...classifier.shipped import load  # loads a folder once per process
from ...errors import DataError
from ...extras import require
from ...readers.archive import Record, record_from_mapping
from ...schema import ERROR_FIELD, RESULT_FIELDS, RESULT_SCHEMA
from ..batch import DEFAULT_BATCH_SIZE, Submit, score_records

__all__ = ["RESULT_COLUMNS", "dask_engine", "score_bag", "score_dataframe"]

RESULT_COLUMNS = (*RESULT_FIELDS, ERROR_FIELD)
# pandas types by kind of field (newscat.schema); a ranking is held as a JSON string.
_DTYPES = {"text": "string", "number": "float64", "flag": "bool", "ranking": "string"}

ModelArgument = str | os.PathLike | NewsClassifier


@contextmanager
def dask_engine(
    model: NewsClassifier,
    *,
    scheduler: str | None,
    jobs: int,
    top_k: int,
    clean: bool,
    explain: int = 0,
) -> Iterator[tuple[Submit, int]]:
    """Connect to ``scheduler`` (or start a local cluster of ``jobs`` workers) for a run.

    Yields ``(submit, in_flight)``: ``submit(batch)`` returns a future of the batch's
    results, and ``in_flight`` (twice the cluster's threads) bounds the pending batches.
    A scheduler that cannot be reached within Dask's connect timeout
    (``distributed.comm.timeouts.connect``) raises ``ConnectionError`` naming it.
    """
    distributed = require("distributed", "dask")
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(  # a free port for its dashboard: 8787 may be taken
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    try:
        client = distributed.Client(cluster if cluster is not None else scheduler)
    except OSError as exc:  # nothing listening, timed out, refused
        if cluster is not None:
            cluster.close()
        raise ConnectionError(
            f"cannot reach the Dask scheduler at {scheduler or 'the local cluster'}: {exc}; "
            "check the address, or leave --scheduler out to start a local cluster"
        ) from None
    try:
        model_on_workers = client.scatter(model, broadcast=True, hash=False)
        run = f"newscat-score-{uuid.uuid4().hex}"
        numbers = itertools.count()

        def submit(batch: list[Record]):
            key = f"{run}-{next(numbers)}"
            options = {"top_k": top_k, "clean": clean, "explain": explain}
            return client.submit(score_records, model_on_workers, batch, **options, key=key)

        yield submit, 2 * max(1, sum(client.nthreads().values()))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _model_argument(model: ModelArgument):
    """What tasks receive: a folder path as a string, or the model as one shared Delayed."""
    import dask

    if isinstance(model, NewsClassifier):
        return dask.delayed(model, name=f"newscat-model-{uuid.uuid4().hex}")
    return os.fspath(model)


def _worker_model(model: str | NewsClassifier) -> NewsClassifier:
    return model if isinstance(model, NewsClassifier) else load(model)


def _score_in_batches(
    model: NewsClassifier, records: list[Record], *, top_k: int, clean: bool | None, size: int
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for start in range(0, len(records), size):
        batch = records[start : start + size]
        results.extend(score_records(model, batch, top_k=top_k, clean=clean))
    return results


def _element_record(
    element: Any, partition: int, position: int, text_field: str, id_field: str
) -> Record:
    if isinstance(element, Record):
        return element
    return record_from_mapping(
        {text_field: element} if isinstance(element, str) else element,
        fallback_id=f"{partition}:{position}",
        where=f"partition {partition} item {position}",
        text_field=text_field,
        id_field=id_field,
    )


def _score_partition(
    elements: list[Any],
    partition: int,
    model: str | NewsClassifier,
    *,
    top_k: int,
    clean: bool | None,
    text_field: str,
    id_field: str,
    batch_size: int,
) -> list[dict[str, Any]]:
    records = [
        _element_record(element, partition, position, text_field, id_field)
        for position, element in enumerate(elements)
    ]
    classifier = _worker_model(model)
    return _score_in_batches(classifier, records, top_k=top_k, clean=clean, size=batch_size)


def score_bag(
    bag,
    model: ModelArgument,
    *,
    top_k: int = 3,
    clean: bool | None = None,
    text_field: str = "text",
    id_field: str = "id",
    batch_size: int = DEFAULT_BATCH_SIZE,
):
    """Label a Dask bag lazily: one result dict per element, in order.

    Parameters
    ----------
    bag : dask.bag.Bag
        Elements are mappings with a ``text_field`` (and maybe ``id_field``) value,
        e.g. parsed JSON lines, or plain strings, or :class:`~newscat.readers.archive.Record`.
    model : path or NewsClassifier
        A model folder (loaded once per worker process) or a loaded model (sent to
        each worker once).
    top_k, clean : as in :func:`~newscat.scoring.score_archive`.
    text_field, id_field : str
        Keys of the text and id in mapping elements. An element without an id gets
        ``PARTITION:POSITION``.
    batch_size : int
        Records labelled at once within a partition.

    Returns
    -------
    dask.bag.Bag
        Dicts with :data:`RESULT_COLUMNS` (as :func:`~newscat.scoring.batch.score_records`):
        ``error`` is None for a labelled element, else the reason it was not.

    Examples
    --------
    >>> import dask.bag as db
    >>> clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> bag = db.from_sequence([{"id": "a", "text": "mưa bão"}, "bắt trộm", {}], npartitions=2)
    >>> results = score_bag(bag, clf).compute(scheduler="sync")
    >>> [(r["id"], r["label"], r["error"]) for r in results]
    [('a', 'weather', None), ('0:1', 'crime', None), ('1:0', None, "partition 1 item 0: \
missing field 'text' (fields present: none)")]
    """
    import dask
    import dask.bag as db

    model_argument = _model_argument(model)
    parts = [
        dask.delayed(_score_partition)(
            part,
            partition,
            model_argument,
            top_k=top_k,
            clean=clean,
            text_field=text_field,
            id_field=id_field,
            batch_size=batch_size,
        )
        for partition, part in enumerate(bag.to_delayed())
    ]
    return db.from_delayed(parts)


def _missing_to_none(value: Any) -> Any:
    import pandas as pd

    return None if not isinstance(value, str) and pd.isna(value) else value


def _results_frame(results: list[dict[str, Any]], index):
    import pandas as pd

    frame = pd.DataFrame(results, columns=list(RESULT_COLUMNS), index=index)
    for field in RESULT_SCHEMA:
        if field.kind == "ranking":
            frame[field.name] = [json.dumps(v, ensure_ascii=False) for v in frame[field.name]]
    dtypes = {field.name: _DTYPES[field.kind] for field in RESULT_SCHEMA}
    return frame.astype({**dtypes, ERROR_FIELD: "string"})


def _score_frame(
    frame,
    model: str | NewsClassifier,
    *,
    top_k: int,
    clean: bool | None,
    text_field: str,
    id_field: str,
    batch_size: int,
):
    ids = frame[id_field] if id_field in frame.columns else frame.index
    records = [
        record_from_mapping(
            {text_field: _missing_to_none(text), id_field: _missing_to_none(id_)},
            fallback_id=str(index),
            where=f"row {index}",
            text_field=text_field,
            id_field=id_field,
        )
        for index, id_, text in zip(frame.index, ids, frame[text_field])
    ]
    classifier = _worker_model(model)
    results = _score_in_batches(classifier, records, top_k=top_k, clean=clean, size=batch_size)
    return _results_frame(results, frame.index)


def score_dataframe(
    ddf,
    model: ModelArgument,
    *,
    text_field: str = "text",
    id_field: str = "id",
    top_k: int = 3,
    clean: bool | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
):
    """Label a Dask DataFrame lazily, or a pandas DataFrame now: one result row per
    input row, with the same index.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or pandas.DataFrame
        Holds a ``text_field``; ids come from ``id_field`` or, if the frame has
        no such column, from the index. A pandas DataFrame is labelled in this
        process.
    model : path or NewsClassifier
        A model folder (loaded once per worker process) or a loaded model.
    top_k, clean, batch_size : as in :func:`score_bag`.

    Returns
    -------
    dask.dataframe.DataFrame or pandas.DataFrame
        Of the same kind as ``ddf``. Columns :data:`RESULT_COLUMNS`: ``top_k`` as a
        JSON string, ``error`` the reason a row was not labelled (missing or empty
        text), else missing.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> frame = pd.DataFrame({"id": ["a", "b"], "text": ["mưa bão", ""]})
    >>> out = score_dataframe(dd.from_pandas(frame, npartitions=1), clf)
    >>> out.compute(scheduler="sync")[["id", "label", "error"]]
      id    label       error
    0  a  weather        <NA>
    1  b     <NA>  empty text
    >>> score_dataframe(frame, clf)[["id", "label", "error"]]  # pandas: labelled at once
      id    label       error
    0  a  weather        <NA>
    1  b     <NA>  empty text
    """
    if text_field not in ddf.columns:
        raise DataError(
            f"the DataFrame has no column {text_field!r} "
            f"(columns: {', '.join(map(str, ddf.columns))})"
        )
    pd = require("pandas", "dask")

    options = {
        "top_k": top_k,
        "clean": clean,
        "text_field": text_field,
        "id_field": id_field,
        "batch_size": batch_size,
    }
    if isinstance(ddf, pd.DataFrame):
        local = model if isinstance(model, NewsClassifier) else os.fspath(model)
        return _score_frame(ddf, local, **options)
    meta = _results_frame([], pd.Index([], dtype=ddf.index.dtype))
    return ddf.map_partitions(
        _score_frame,
        _model_argument(model),
        **options,
        meta=meta,
    )
