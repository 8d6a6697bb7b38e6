"""Score whole archives: streaming, parallel, resumable, nothing lost.

:func:`score_archive` (and ``newscat score``) reads the records of an archive
(:mod:`newscat.readers.archive`) in batches, labels each batch in a worker process or on a
Dask cluster (:mod:`newscat.scoring.engines.dask`), and the parent writes the results in input
order (:mod:`newscat.scoring.outputs`):

- the **output**, ``.jsonl``, ``.jsonl.gz``, ``.csv`` or ``.parquet``: one row per
  labelled record with ``id, label, name, score, top_k, uncertain, reason, model,
  model_version``;
- the **errors file**, JSON Lines, by default ``OUTPUT.errors.jsonl``: ``id, reason``
  for every record that could not be labelled (unreadable, undecodable, invalid JSON,
  missing field, empty text, too long, not a regular file, or failed in the model);
  written only if there is such a record.

Every record read lands in exactly one of the two: each batch must give one result
per record, and the final :class:`ScoreSummary` checks ``read == labelled + errors``.
Files are written so that a crash, ``kill -9`` included, never leaves a half-written
record that looks complete, and ``resume=True`` (``--resume``) finishes an
interrupted run with every input record exactly once (:mod:`newscat.scoring.outputs`),
after checking that the inputs are the ones it read (size, modification time and a
SHA-256 of what was read; :meth:`~newscat.readers.archive.Archive.position`). A run that
fails before its first batch is written leaves no file behind. CSV cells that a
spreadsheet would run as a formula are escaped unless ``csv_escape=False``.

Memory
    The parent reads one batch at a time and keeps at most two batches per process in
    flight; readers stream, Parquet is read and written a batch at a time. Memory
    stays flat however large the archive.

Workers
    ``jobs`` processes label records: the parent and ``jobs - 1`` workers started with
    the ``spawn`` method (safe with threads, the same on every OS). A batch goes to
    the workers while fewer than two per worker wait; otherwise the parent labels it
    itself instead of idling, so no process beyond ``jobs`` holds a copy of the model.
    Each worker gets the model once, when it starts, and ends if the parent dies. As
    always with ``spawn``, a script that calls :func:`score_archive` with ``jobs > 1``
    must do so under ``if __name__ == "__main__":``.

Progress
    A tqdm bar on standard error shows records/s and the error count. A background
    thread counts the records cheaply (file names, lines, CSV rows, Parquet
    metadata); once it is done the bar also shows the percentage and time left.

Records are labelled without the on-disk segmentation cache (an archive would fill
it with texts seen once): :data:`~newscat.scoring.batch.SCORING_RUNTIME`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from ..classifier.estimator import NewsClassifier
from ..extras import require
from ..readers.archive import Archive, InputPaths, Record
from ..schema import result_schema
from .batch import DEFAULT_BATCH_SIZE
from .engines import ENGINES, in_order, open_engine
from .model import resolve_model
from .outputs import DEFAULT_PART_ROWS, ResultFiles, check_outputs, output_format
from .progress import ProgressBar

__all__ = ["DEFAULT_BATCH_SIZE", "ScoreSummary", "score_archive"]


def _batched(archive: Archive, records: Iterator[Record], size: int) -> Iterator[tuple[list, Any]]:
    """Batches of ``size`` records, each with the archive's position after it."""
    while batch := list(islice(records, size)):
        yield batch, archive.position()


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# ------------------------------------------------------------------ the job
@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did; creating one checks ``read == labelled + errors``.

    ``read``, ``labelled`` and ``errors`` count the whole job, including the records
    an interrupted run had done (``resumed``); ``elapsed`` is this run's time.

    Examples
    --------
    >>> print(ScoreSummary("out.jsonl", "out.jsonl.errors.jsonl", 10, 9, 1, 2.0))
    read 10 records: 9 labelled + 1 errors, all accounted for
    elapsed 2.0 s, 5 records/s
    output: out.jsonl
    errors: out.jsonl.errors.jsonl
    >>> print(ScoreSummary("out.jsonl", "out.jsonl.errors.jsonl", 10, 10, 0, 2.0))
    ... # doctest: +ELLIPSIS
    read 10 records: 10 labelled + 0 errors, all accounted for
    ...
    errors: none (no errors file written)
    >>> ScoreSummary("o", "e", 10, 8, 1, 2.0)
    Traceback (most recent call last):
    ...
    RuntimeError: records lost: read 10, but labelled 8 + errors 1 = 9
    """

    output: Path
    errors_file: Path
    read: int
    labelled: int
    errors: int
    elapsed: float
    resumed: int = 0

    def __post_init__(self) -> None:
        if self.read != self.labelled + self.errors:
            raise RuntimeError(
                f"records lost: read {self.read}, but labelled {self.labelled} + errors "
                f"{self.errors} = {self.labelled + self.errors}"
            )

    def __str__(self) -> str:
        rate = (self.read - self.resumed) / self.elapsed if self.elapsed > 0 else 0.0
        timing = f"elapsed {self.elapsed:.1f} s, {rate:,.0f} records/s"
        if self.resumed:
            timing += f"; resumed after {self.resumed:,} records"
        errors = self.errors_file if self.errors else "none (no errors file written)"
        return (
            f"read {self.read:,} records: {self.labelled:,} labelled + {self.errors:,} errors, "
            f"all accounted for\n{timing}\noutput: {self.output}\nerrors: {errors}"
        )


def _check_settings(
    engine: str, scheduler: str | None, jobs: int | None, counts: dict[str, int]
) -> None:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if scheduler is not None and engine != "dask":
        raise ValueError("a scheduler address needs engine='dask' (--engine dask)")
    if engine == "dask":
        require("distributed", "dask")  # before any output file is created
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be 1 or more, got {jobs}")
    for name, value in counts.items():
        if value < 1:
            raise ValueError(f"{name} must be 1 or more, got {value}")


def score_archive(
    inputs: InputPaths,
    output: str | os.PathLike,
    *,
    model: str | os.PathLike | NewsClassifier | None = None,
    errors: str | os.PathLike | None = None,
    jobs: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    resume: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    clean: bool | None = None,
    top_k: int = 3,
    text_field: str = "text",
    id_field: str = "id",
    progress: bool = True,
    part_rows: int = DEFAULT_PART_ROWS,
    csv_escape: bool = True,
    explain: int = 0,
) -> ScoreSummary:
    """Label every record of an archive, streaming, in parallel, resumably.

    See the module docstring for the output files, memory use and crash safety.

    Parameters
    ----------
    inputs : path or list of paths
        Folders of ``.txt``/``.html`` files, ``.jsonl(.gz)``, ``.csv``/``.tsv`` and
        ``.parquet`` files (:mod:`newscat.readers.archive`).
    output : path
        ``.jsonl``, ``.jsonl.gz``, ``.csv`` or ``.parquet`` (a folder of parts).
        An existing output is never overwritten.
    model : path, NewsClassifier or None
        A model folder, a loaded model, or None for the shipped default model.
    errors : path or None
        The errors file (JSON Lines); default ``OUTPUT.errors.jsonl``. Written only
        if a record could not be labelled.
    jobs : int or None
        Processes labelling records, this one included (default: all cores). With
        ``engine="dask"`` and no scheduler, the number of workers of the local
        cluster started.
    batch_size : int
        Records per batch: the unit sent to a worker, written and checkpointed.
    resume : bool
        Finish an interrupted run of the same job (start it if it never started).
    engine : {"local", "dask"}
        Local processes, or a dask.distributed cluster (:mod:`newscat.scoring.engines.dask`).
    scheduler : str or None
        Address of the Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``; None starts
        a local cluster.
    clean : bool or None
        Strip page furniture before labelling; None uses the model's setting (on for
        the default model, which labels raw scraped pages).
    top_k : int
        How many (label, score) pairs to keep per record.
    text_field, id_field : str
        Field or column of the text and of the id in JSONL, CSV and Parquet inputs.
    progress : bool
        Show a progress bar on standard error.
    part_rows : int
        Rows per part file of a Parquet output.
    csv_escape : bool
        In a CSV output, put a ``'`` before text that starts with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return, so that spreadsheets do not run it
        as a formula; False writes it as it is.
    explain : int
        If above 0, each labelled row also gets ``explanation``: the ``explain``
        terms that raised its label's score most, each with its kind and
        contribution (:mod:`newscat.classifier.explanation`).

    Returns
    -------
    ScoreSummary
        Counts of records read, labelled and sent to the errors file, and the time.

    Raises
    ------
    DataError
        An input is missing, not a regular file or folder, or of unknown format; the
        output format is unknown; the output, errors and progress files clash with
        each other or with an input; or ``resume`` meets a progress file of another
        job, or inputs changed since it was written.
    FileExistsError
        The output (or its errors or progress file) exists and ``resume`` is false.
    ConnectionError
        ``engine="dask"`` and the scheduler cannot be reached; no file is written.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [{"id": "a1", "text": "Trời mưa bão"}, {"id": "a2", "text": " "}]
    >>> _ = (folder / "in.jsonl").write_text("\\n".join(json.dumps(row) for row in rows))
    >>> summary = score_archive(folder / "in.jsonl", folder / "out.jsonl", model=clf,
    ...                         jobs=1, progress=False)
    >>> summary.read, summary.labelled, summary.errors
    (2, 1, 1)
    >>> json.loads((folder / "out.jsonl").read_text())["label"]
    'weather'
    >>> (folder / "out.jsonl.errors.jsonl").read_text()
    '{"id": "a2", "reason": "empty text"}\\n'
    """
    _check_settings(
        engine, scheduler, jobs, {"batch_size": batch_size, "top_k": top_k, "part_rows": part_rows}
    )
    if explain < 0:
        raise ValueError(f"explain must be 0 (none) or more, got {explain}")
    started = time.monotonic()
    archive = Archive(inputs, text_field=text_field, id_field=id_field)
    output = Path(output)
    errors_path = Path(errors) if errors is not None else Path(f"{output}.errors.jsonl")
    fmt = output_format(output)
    check_outputs(output, errors_path, resume=resume, inputs=archive.paths)  # before the model
    classifier, identity = resolve_model(model)
    clean = classifier.clean_pages if clean is None else clean
    job = {
        "inputs": archive.paths,
        "text_field": text_field,
        "id_field": id_field,
        "errors": str(errors_path.resolve()),
        "model": identity,
        "top_k": top_k,
        "clean": clean,
    }
    if fmt == ".csv":
        job["csv_escape"] = csv_escape
    if explain:  # only then, so that a run of an older version can still be resumed
        job["explain"] = explain
    outputs = ResultFiles(
        output,
        errors_path,
        job,
        resume=resume,
        part_rows=part_rows,
        csv_escape=csv_escape,
        fields=tuple(field.name for field in result_schema(explain=bool(explain))),
    )
    bar = ProgressBar(archive, outputs.read, progress)
    try:
        records = archive.records(outputs.read, resolve_html=False, position=outputs.position)
        with open_engine(
            engine,
            classifier,
            jobs=jobs or _available_cores(),
            scheduler=scheduler,
            top_k=top_k,
            clean=clean,
            explain=explain,
        ) as (submit, in_flight):
            batches = _batched(archive, records, batch_size)
            for size, position, results in in_order(submit, batches, in_flight):
                if len(results) != size:
                    raise RuntimeError(f"a batch of {size} records gave {len(results)} results")
                outputs.write(results, position)
                bar.update(size, outputs.errors)
        outputs.finish()
    except BaseException:
        outputs.abandon()
        raise
    finally:
        bar.close()
    return ScoreSummary(
        output,
        errors_path,
        outputs.read,
        outputs.labelled,
        outputs.errors,
        time.monotonic() - started,
        outputs.resumed,
    )
