"""Score whole archives: streaming, parallel, resumable, nothing lost.

:func:`score_archive` (and ``newscat score``) reads the records of an archive
(:mod:`newscat.archive`) in batches, labels each batch in a worker process or on a
Dask cluster (:mod:`newscat.dask_engine`), and the parent writes the results in input
order (:mod:`newscat.outputs`):

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
interrupted run with every input record exactly once (:mod:`newscat.outputs`),
after checking that the inputs are the ones it read (size, modification time and a
SHA-256 of what was read; :meth:`~newscat.archive.Archive.position`). A run that
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

Records are labelled with a copy of the model that does not use the on-disk
segmentation cache (an archive would fill it with texts seen once).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import __version__
from .archive import Archive, InputPaths, Record
from .classifier import NewsClassifier, Prediction
from .errors import UsageError
from .explanation import Explanation, explain_many
from .extras import require
from .outputs import (
    DEFAULT_PART_ROWS,
    EXPLANATION_FIELD,
    OUTPUT_FIELDS,
    ResultFiles,
    check_outputs,
    output_format,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ScoreSummary",
    "add_score_parser",
    "run_score_command",
    "score_archive",
    "score_records",
]

DEFAULT_BATCH_SIZE = 256
ENGINES = ("local", "dask")
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


# ------------------------------------------------------------------- the model
def _for_scoring(model: NewsClassifier) -> NewsClassifier:
    """A shallow copy of ``model`` without segmentation cache, nested processes or bars."""
    return copy.copy(model).set_params(cache_dir=False, n_jobs=1, progress=False)


def _folder_digest(folder: Path) -> str:
    """SHA-256 of the names and contents of the files in ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(path for path in folder.iterdir() if path.is_file()):
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _resolve_model(
    model: str | os.PathLike | NewsClassifier | None,
) -> tuple[NewsClassifier, dict[str, str | None]]:
    """The model to score with, and its identity: name, version and, for a folder, a
    digest of all its files, whatever the folder layout (a loaded model has none:
    fitted estimators change their internal state when first used, so hashing the
    object is not stable)."""
    from sklearn.utils.validation import check_is_fitted

    from . import _default_model_path, load

    if isinstance(model, NewsClassifier):
        classifier, fingerprint = model, None
    else:
        folder = Path(os.fspath(model if model is not None else _default_model_path()))
        classifier = load(folder)
        fingerprint = _folder_digest(folder)
    check_is_fitted(classifier, "pipeline_")
    name, version = _model_name_version(classifier)
    identity = {"name": name, "version": version, "fingerprint": fingerprint}
    return _for_scoring(classifier), identity


def _model_name_version(model: NewsClassifier) -> tuple[str, str]:
    metadata = getattr(model, "metadata_", {})
    version = metadata.get("versions", {}).get("newscat", __version__)
    return metadata.get("name", "unsaved"), version


# ------------------------------------------------------------ scoring a batch
def score_records(
    model: NewsClassifier,
    records: Sequence[Record],
    *,
    top_k: int = 3,
    clean: bool | None = None,
    explain: int = 0,
) -> list[dict[str, Any]]:
    """Label a batch of records: one result per record, in order.

    A result has the :data:`~newscat.outputs.OUTPUT_FIELDS` and ``error``: None for a labelled
    record; for a record with a reader error, or one the model cannot label, the
    reason, with ``label``, ``name``, ``score`` and ``reason`` None, an empty
    ``top_k`` and ``uncertain`` true (it needs a person). HTML pages are turned into
    text here (:meth:`~newscat.archive.Record.resolve`), so that it runs in workers.
    With ``explain`` above 0, a labelled record's result also has
    :data:`~newscat.outputs.EXPLANATION_FIELD`: the ``explain`` terms that raised its
    label's score most (:mod:`newscat.explanation`).

    Examples
    --------
    >>> clf = NewsClassifier(segmenter="syllable", cache_dir=False, min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> results = score_records(clf, [Record("a", "trời mưa bão"), Record("b", error="empty text")])
    >>> [(r["id"], r["label"], r["error"]) for r in results]
    [('a', 'weather', None), ('b', None, 'empty text')]
    """
    name, version = _model_name_version(model)
    records = [record.resolve() for record in records]
    texts = [record.text for record in records if record.error is None]
    predictions = iter(_classify(model, texts, top_k=top_k, clean=clean, explain=explain))
    results = []
    for record in records:
        outcome = record.error if record.error is not None else next(predictions)
        results.append(_result(record.id, outcome, name, version))
    return results


Outcome = Prediction | Explanation | None | str  # None: empty after cleaning; str: failed


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
        if terms is not None:
            fields[EXPLANATION_FIELD] = terms
    else:
        fields = {
            "label": None,
            "name": None,
            "score": None,
            "top_k": [],
            "uncertain": True,
            "reason": None,
        }
        error = outcome if isinstance(outcome, str) else _EMPTY_AFTER_CLEANING
    return {"id": id_, **fields, "model": model, "model_version": version, "error": error}


# -------------------------------------------------------------------- engines
Submit = Callable[[list[Record]], Any]  # returns a future: .result() gives the results

_WORKER: dict[str, Any] = {}


def _init_worker(
    model: NewsClassifier, top_k: int, clean: bool, parent: int, explain: int = 0
) -> None:
    _WORKER.update(model=model, top_k=top_k, clean=clean, explain=explain)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when its parent is gone (e.g. killed with ``kill -9``)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _score_in_worker(records: list[Record]) -> list[dict[str, Any]]:
    options = {key: _WORKER[key] for key in ("top_k", "clean", "explain")}
    return score_records(_WORKER["model"], records, **options)


def _completed(value: Any) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


@contextmanager
def _local_engine(
    model: NewsClassifier, *, jobs: int, top_k: int, clean: bool, explain: int = 0
) -> Iterator[tuple[Submit, int]]:
    """Score with ``jobs`` processes: this one and a pool of ``jobs - 1`` spawned workers.

    A batch goes to the pool while fewer than two per worker wait there; otherwise it
    is scored here, at once.
    """

    def here(batch: list[Record]) -> Future:
        return _completed(score_records(model, batch, top_k=top_k, clean=clean, explain=explain))

    if jobs == 1:
        yield here, 1
        return
    workers = jobs - 1
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(model, top_k, clean, os.getpid(), explain),
    )
    waiting: set[Future] = set()

    def submit(batch: list[Record]) -> Future:
        waiting.difference_update([future for future in waiting if future.done()])
        if len(waiting) >= 2 * workers:
            return here(batch)
        future = pool.submit(_score_in_worker, batch)
        waiting.add(future)
        return future

    try:
        yield submit, 2 * jobs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _in_order(
    submit: Submit, batches: Iterable[tuple[list[Record], Any]], in_flight: int
) -> Iterator[tuple[int, Any, list[dict[str, Any]]]]:
    """(batch size, tag, results) per ``(batch, tag)``, in input order, with at most
    ``in_flight`` pending."""
    pending: deque = deque()
    for batch, tag in batches:
        pending.append((len(batch), tag, submit(batch)))
        if len(pending) >= in_flight:
            size, tag, future = pending.popleft()
            yield size, tag, future.result()
    while pending:
        size, tag, future = pending.popleft()
        yield size, tag, future.result()


def _batched(archive: Archive, records: Iterator[Record], size: int) -> Iterator[tuple[list, Any]]:
    """Batches of ``size`` records, each with the archive's position after it."""
    while batch := list(islice(records, size)):
        yield batch, archive.position()


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Progress:
    """A tqdm bar of records; a background count of the archive adds the time left."""

    def __init__(self, archive: Archive, done: int, enabled: bool) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            desc="scoring", unit="rec", initial=done, disable=not enabled, smoothing=0.05
        )
        self._total: int | None = None
        self._stop = threading.Event()
        if enabled:
            threading.Thread(target=self._count, args=(archive,), daemon=True).start()

    def _count(self, archive: Archive) -> None:
        try:
            self._total = archive.count(self._stop)
        except (OSError, ValueError):  # only the bar needs the count; reading reports problems
            self._total = None

    def update(self, records: int, errors: int) -> None:
        if self._total is not None and self._bar.total is None:
            self._bar.total = self._total
        self._bar.set_postfix(errors=errors, refresh=False)
        self._bar.update(records)

    def close(self) -> None:
        self._stop.set()
        self._bar.close()


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


@contextmanager
def _engine(
    engine: str,
    model: NewsClassifier,
    *,
    jobs: int,
    scheduler: str | None,
    top_k: int,
    clean: bool,
    explain: int = 0,
) -> Iterator[tuple[Submit, int]]:
    options = {"jobs": jobs, "top_k": top_k, "clean": clean, "explain": explain}
    if engine == "dask":
        from .dask_engine import dask_engine

        with dask_engine(model, scheduler=scheduler, **options) as run:
            yield run
    else:
        with _local_engine(model, **options) as run:
            yield run


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
        ``.parquet`` files (:mod:`newscat.archive`).
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
        Local processes, or a dask.distributed cluster (:mod:`newscat.dask_engine`).
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
        contribution (:mod:`newscat.explanation`).

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
    >>> clf = NewsClassifier(segmenter="syllable", cache_dir=False, min_df=1, max_df=1.0)
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
    classifier, identity = _resolve_model(model)
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
    fields = OUTPUT_FIELDS
    if explain:  # only then, so that a run of an older version can still be resumed
        job["explain"] = explain
        fields = (*OUTPUT_FIELDS, EXPLANATION_FIELD)
    outputs = ResultFiles(
        output,
        errors_path,
        job,
        resume=resume,
        part_rows=part_rows,
        csv_escape=csv_escape,
        fields=fields,
    )
    bar = _Progress(archive, outputs.read, progress)
    try:
        records = archive.records(outputs.read, resolve_html=False, position=outputs.position)
        with _engine(
            engine,
            classifier,
            jobs=jobs or _available_cores(),
            scheduler=scheduler,
            top_k=top_k,
            clean=clean,
            explain=explain,
        ) as (submit, in_flight):
            batches = _batched(archive, records, batch_size)
            for size, position, results in _in_order(submit, batches, in_flight):
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


# ------------------------------------------------------------------------ CLI
def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def add_score_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``score`` subcommand on ``subparsers`` (of ``newscat``'s parser).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="newscat")
    >>> _ = add_score_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["score", "a.jsonl", "pages/", "-o", "out.csv", "-j", "2"])
    >>> args.inputs, args.output, args.jobs, args.func.__name__
    (['a.jsonl', 'pages/'], 'out.csv', 2, 'run_score_command')
    """
    p = subparsers.add_parser(
        "score",
        help="label every record of an archive (streaming, parallel, resumable)",
        description=(
            "Label every record of folders of .txt/.html files and .jsonl(.gz), .csv/.tsv "
            "and .parquet files. Labelled records go to OUTPUT (.jsonl, .jsonl.gz, .csv or "
            ".parquet), the others to the errors file with the reason; read = labelled + "
            "errors is checked. After an interruption, run the same command with --resume."
        ),
        epilog=(
            "exit status: 0 when every record is accounted for (even with error records), "
            "1 on bad input, a bad model or a missing extra, 2 on a usage error, 130 when "
            "interrupted"
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folders and files to label")
    p.add_argument("-o", "--output", required=True, help="results file (.jsonl/.csv/.parquet)")
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--errors", help="errors file (default: OUTPUT.errors.jsonl)")
    p.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        help="processes or local Dask workers (default: all cores)",
    )
    p.add_argument(
        "--batch-size",
        type=_positive_int,
        default=DEFAULT_BATCH_SIZE,
        help=f"records per batch (default {DEFAULT_BATCH_SIZE})",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted run")
    p.add_argument("--engine", choices=ENGINES, default="local", help="where to label records")
    p.add_argument("--scheduler", help="Dask scheduler address (default: start a local cluster)")
    p.add_argument(
        "--no-clean",
        dest="clean",
        action="store_const",
        const=False,
        help="do not strip page furniture first (default: the model's setting)",
    )
    p.add_argument(
        "--top-k", type=_positive_int, default=3, help="scores to keep per record (default 3)"
    )
    p.add_argument(
        "--explain",
        type=_positive_int,
        default=0,
        metavar="N",
        help="add the N terms that raised each label's score most (column 'explanation')",
    )
    p.add_argument("--text-field", default="text", help="text field/column (default: text)")
    p.add_argument("--id-field", default="id", help="id field/column (default: id)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument(
        "--csv-raw",
        dest="csv_escape",
        action="store_false",
        help="in a CSV output, do not put ' before cells starting with = + - @ (formulas)",
    )
    p.set_defaults(func=run_score_command)
    return p


def run_score_command(args: argparse.Namespace) -> int:
    """Run ``newscat score`` with parsed ``args``; print the summary; return the exit status.

    Errors newscat reports on purpose (:class:`~newscat.errors.NewscatError`,
    ``OSError``) and ``KeyboardInterrupt`` propagate to ``newscat``'s ``main``, which
    prints them on one line and returns the exit status.
    """
    if args.scheduler is not None and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    try:
        summary = score_archive(
            args.inputs,
            args.output,
            model=args.model,
            errors=args.errors,
            jobs=args.jobs,
            batch_size=args.batch_size,
            resume=args.resume,
            engine=args.engine,
            scheduler=args.scheduler,
            clean=args.clean,
            top_k=args.top_k,
            text_field=args.text_field,
            id_field=args.id_field,
            progress=args.progress,
            csv_escape=args.csv_escape,
            explain=args.explain,
        )
    except KeyboardInterrupt:
        raise KeyboardInterrupt(
            f"run the same command with --resume to finish {args.output}"
        ) from None
    print(summary)
    return 0
