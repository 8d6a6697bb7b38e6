"""The result files of a scoring run, written so that a crash loses nothing.

A run of :func:`~newscat.scoring.score_archive` writes

- the **output**, by extension ``.jsonl``, ``.jsonl.gz``, ``.csv`` or ``.parquet``:
  one row per labelled record with :data:`OUTPUT_FIELDS`, the fields of
  :mod:`newscat.schema` (``id, label, name, score, top_k, uncertain, reason, model,
  model_version``; ``top_k`` is a list of
  ``{"label", "score"}``, a JSON string in CSV; booleans are ``true``/``false``);
- the **errors file**, JSON Lines: ``id, reason`` per record not labelled, written
  only if there is one;
- while running, the **progress file** ``OUTPUT.progress.json``.

Nothing is written before the first batch of results: a run that fails while
starting (an engine that cannot start, a scheduler that cannot be reached), or
before any record is done, leaves no file behind, so the next run needs no
``--resume``. The output, errors and progress files must be different files, and
none of them an input (:func:`check_outputs`).

CSV cells
    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a ``'`` in front (``=1+1`` is written ``'=1+1``), so that a spreadsheet
    opening the file shows it as text instead of running it as a formula (the OWASP
    rule against CSV injection). ``csv_escape=False`` (``--csv-raw``) writes cells
    as they are, for programs that read the values exactly.

Crash safety and resume
    While a run is going, its files carry a ``.partial`` suffix (``out.jsonl.partial``,
    ``out.jsonl.errors.jsonl.partial``, ``out.parquet.partial/``), so a file under its
    final name is always complete. Each batch is appended to the output and errors
    files in whole and flushed to the operating system, so a killed process loses
    nothing it wrote. At most every :data:`CHECKPOINT_SECONDS` (and at the end) the
    files are fsynced, then the progress file is replaced atomically (temporary file,
    fsync, ``os.replace``); it records how many input records are done, the counts,
    the size of each file at that point, where reading the inputs is (per input:
    size, modification time, records read and a SHA-256 of what they were read from;
    :meth:`newscat.readers.archive.Archive.position`) and the job (inputs, fields, errors
    file, model name, version and fingerprint, ``top_k``, ``clean``). A checkpoint
    thus never counts bytes that a power cut could lose. At the end the files are
    renamed to their final names and the progress file is deleted.

    After a crash at any moment (``kill -9`` included), a resume cuts each file back
    to the size in the progress file, dropping a half-written batch and whatever
    followed the checkpoint, and the run skips that many input records: every input
    record appears exactly once, and the files equal those of an uninterrupted run.
    A resume with other inputs, fields, errors file or model is refused, and so is
    one whose inputs changed since (edited, truncated, appended to). A gzip
    output gets one gzip member per batch, so every batch boundary is the end of a
    valid gzip file.

Parquet output
    A folder of part files (``part-00000.parquet``, ...) that pandas, pyarrow, Dask,
    DuckDB and Spark read as one table. A part gets one row group per batch, written
    to a hidden temporary file; after ``part_rows`` rows it is closed, fsynced and
    renamed into place, and only then can the progress file advance. A part file is
    therefore always complete, and a resume redoes about one part's worth of records.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..durable import fsync_file, fsync_folder
from ..errors import DataError, UsageError
from ..extras import require
from ..schema import RESULT_FIELDS, result_schema

__all__ = [
    "DEFAULT_PART_ROWS",
    "OUTPUT_FIELDS",
    "OUTPUT_FORMATS",
    "ResultFiles",
    "check_outputs",
    "output_format",
]

DEFAULT_PART_ROWS = 100_000
CHECKPOINT_SECONDS = 0.5  # fsyncs cost time: checkpoint at most this often
OUTPUT_FIELDS = RESULT_FIELDS  # the columns of an output, in order
OUTPUT_FORMATS = (".jsonl.gz", ".jsonl", ".csv", ".parquet")
PARTIAL_SUFFIX = ".partial"
_PROGRESS_FORMAT = "newscat-score-progress"
_PROGRESS_VERSION = 2
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _same_model(before: dict, now: dict) -> bool:
    """Same name and version, and same fingerprint when both runs know it."""
    fingerprints = (before.get("fingerprint"), now.get("fingerprint"))
    return (before.get("name"), before.get("version")) == (now["name"], now["version"]) and (
        None in fingerprints or fingerprints[0] == fingerprints[1]
    )


def _job_differences(before: dict, now: dict) -> list[str]:
    """What differs between the job of an interrupted run and this one."""
    differences = []
    for key in [*now, *(key for key in before if key not in now)]:  # e.g. explain: N, or none
        old, value = before.get(key), now.get(key)
        same = _same_model(old or {}, value) if key == "model" else old == value
        if not same:
            differences.append(f"{key} was {old!r}, now {value!r}")
    return differences


class _Writer(ABC):
    """Appends batches of rows to one file (or folder) under its in-progress name."""

    @abstractmethod
    def write(self, rows: list[dict[str, Any]]) -> None:
        """Append ``rows``."""

    @abstractmethod
    def state(self) -> dict | None:
        """Where a resume cuts back to, if all rows so far can be made durable; else None."""

    @abstractmethod
    def sync(self) -> None:
        """Make all rows written so far durable (fsync)."""

    @abstractmethod
    def close(self) -> dict:
        """Write out what is pending and return the final state."""

    @abstractmethod
    def abandon(self) -> None:
        """Close without finishing: a resume restores the last saved state."""


class _LinesWriter(_Writer):
    """A file of lines, appended a whole batch at a time; state: its size.

    A resume truncates the file to the recorded size. Compressed files get one gzip
    member per batch, so any batch boundary is also the end of a valid gzip file.
    """

    def __init__(self, path: Path, state: dict | None, *, compress: bool = False) -> None:
        self._compress = compress
        if state is None:
            self._file = open(path, "xb")  # closed by close() or abandon()
            self._append(self._header())
            return
        self._file = open(path, "r+b")
        size = os.fstat(self._file.fileno()).st_size
        if size < state["bytes"]:
            self._file.close()
            raise DataError(
                f"cannot resume: {path} holds {size} bytes, fewer than the {state['bytes']} "
                "its progress file records; it was changed after the interruption"
            )
        self._file.truncate(state["bytes"])
        self._file.seek(0, os.SEEK_END)

    def _header(self) -> bytes:
        return b""

    @abstractmethod
    def _encode(self, rows: list[dict[str, Any]]) -> bytes:
        """The lines of ``rows``."""

    def _append(self, data: bytes) -> None:
        if data:
            self._file.write(gzip.compress(data, mtime=0) if self._compress else data)
            self._file.flush()  # to the OS at once: a killed process loses nothing written

    def write(self, rows: list[dict[str, Any]]) -> None:
        self._append(self._encode(rows))

    def state(self) -> dict:
        return {"bytes": self._file.tell()}

    def sync(self) -> None:
        fsync_file(self._file)

    def close(self) -> dict:
        self.sync()
        state = self.state()
        self._file.close()
        return state

    def abandon(self) -> None:
        self._file.close()


class _JsonLinesWriter(_LinesWriter):
    def _encode(self, rows: list[dict[str, Any]]) -> bytes:
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def _csv_value(value: Any, escape: bool = True) -> Any:
    """A CSV cell: ``true``/``false``, JSON for lists, formula-like text escaped.

    Examples
    --------
    >>> [_csv_value(v) for v in ("=HYPERLINK(1)", "-1", "@a", "a=b", True, 0.5)]
    ["'=HYPERLINK(1)", "'-1", "'@a", 'a=b', 'true', 0.5]
    >>> _csv_value("=1+1", escape=False)
    '=1+1'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if escape and isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _CsvWriter(_LinesWriter):
    def __init__(
        self,
        path: Path,
        state: dict | None,
        *,
        escape: bool = True,
        fields: tuple[str, ...] = OUTPUT_FIELDS,
    ) -> None:
        self._escape = escape
        self._fields = fields
        super().__init__(path, state)

    def _lines(self, rows: Iterable[list[Any]]) -> bytes:
        buffer = io.StringIO()
        plain = csv.writer(buffer, lineterminator="\n")
        # A writer ending lines with "\n" does not quote a cell holding "\r", which
        # readers would take for a line end; one ending them with "\r\n" does.
        careful = csv.writer(buffer, lineterminator="\r\n")
        for row in rows:
            if any(isinstance(value, str) and "\r" in value for value in row):
                careful.writerow(row)
                buffer.seek(buffer.tell() - 2)
                buffer.truncate()
                buffer.write("\n")
            else:
                plain.writerow(row)
        return buffer.getvalue().encode()

    def _header(self) -> bytes:
        return self._lines([list(self._fields)])

    def _encode(self, rows: list[dict[str, Any]]) -> bytes:
        escape = self._escape
        return self._lines([_csv_value(row[name], escape) for name in self._fields] for row in rows)


def _parquet_schema(fields: tuple[str, ...] = OUTPUT_FIELDS):
    import pyarrow as pa

    ranking = pa.list_(pa.struct([("label", pa.string()), ("score", pa.float64())]))
    term = pa.struct([("term", pa.string()), ("kind", pa.string()), ("contribution", pa.float64())])
    kinds = {
        "text": pa.string(),
        "number": pa.float64(),
        "flag": pa.bool_(),
        "ranking": ranking,
        "terms": pa.list_(term),
    }
    schema = {field.name: field for field in result_schema(explain=True)}
    return pa.schema([(name, kinds[schema[name].kind]) for name in fields])


class _ParquetWriter(_Writer):
    """A folder of complete part files; state: how many parts are complete."""

    _PART = re.compile(r"part-(\d+)\.parquet")

    def __init__(
        self,
        folder: Path,
        state: dict | None,
        *,
        part_rows: int,
        fields: tuple[str, ...] = OUTPUT_FIELDS,
    ) -> None:
        self._folder = folder
        self._part_rows = part_rows
        self._schema = _parquet_schema(fields)
        self._parts = state["parts"] if state else 0
        self._rows = 0
        self._writer = None
        if state is None:
            folder.mkdir()
            return
        for path in folder.iterdir():  # parts written after the checkpoint, temporary files
            match = self._PART.fullmatch(path.name)
            if match is None or int(match.group(1)) >= self._parts:
                path.unlink()
        missing = [i for i in range(self._parts) if not self._path(i).exists()]
        if missing:
            raise DataError(
                f"cannot resume: {self._path(missing[0])} is missing, one of the "
                f"{self._parts} parts its progress file records"
            )

    def _path(self, index: int, temporary: bool = False) -> Path:
        name = f"part-{index:05d}.parquet"
        return self._folder / (f".{name}.tmp" if temporary else name)

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa

        if not rows:
            return
        if self._writer is None:
            self._open()
        self._writer.write_table(pa.Table.from_pylist(rows, schema=self._schema))
        self._rows += len(rows)
        if self._rows >= self._part_rows:
            self._finish_part()

    def _open(self) -> None:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(self._path(self._parts, temporary=True), self._schema)

    def _finish_part(self) -> None:
        self._writer.close()
        temporary = self._path(self._parts, temporary=True)
        with open(temporary, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temporary, self._path(self._parts))
        fsync_folder(self._folder)
        self._parts += 1
        self._rows = 0
        self._writer = None

    def state(self) -> dict | None:
        return None if self._writer is not None else {"parts": self._parts}

    def sync(self) -> None:
        """Nothing to do: a part is fsynced when it is closed, before it gets its name."""

    def close(self) -> dict:
        if self._writer is None and self._parts == 0:
            self._open()  # an empty part, so that readers still find the schema
        if self._writer is not None:
            self._finish_part()
        return {"parts": self._parts}

    def abandon(self) -> None:
        if self._writer is not None:
            self._writer.close()


def output_format(path: Path) -> str:
    """The format of an output path, by its extension.

    Examples
    --------
    >>> output_format(Path("scores.JSONL.gz"))
    '.jsonl.gz'
    >>> output_format(Path("scores.xlsx"))
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: scores.xlsx: unknown output format; name the output .jsonl, \
.jsonl.gz, .csv or .parquet
    """
    name = path.name.lower()
    for suffix in OUTPUT_FORMATS:
        if name.endswith(suffix):
            if suffix == ".parquet":
                require("pyarrow.parquet", "parquet")
            return suffix
    raise DataError(
        f"{path}: unknown output format; name the output .jsonl, .jsonl.gz, .csv or .parquet"
    )


def _open_writer(
    path: Path,
    fmt: str,
    state: dict | None,
    part_rows: int,
    csv_escape: bool,
    fields: tuple[str, ...] = OUTPUT_FIELDS,
) -> _Writer:
    if fmt == ".parquet":
        return _ParquetWriter(path, state, part_rows=part_rows, fields=fields)
    if fmt == ".csv":
        return _CsvWriter(path, state, escape=csv_escape, fields=fields)
    return _JsonLinesWriter(path, state, compress=fmt == ".jsonl.gz")


def _partial(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    elif path.exists():
        path.unlink()


def _save_json_atomically(path: Path, data: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        fsync_file(f)
    os.replace(temporary, path)


def _progress_path(output: Path) -> Path:
    return output.with_name(output.name + ".progress.json")


def _clashes(output: Path, errors: Path, inputs: Iterable[str | os.PathLike]) -> str | None:
    """Why the output, errors and progress files (final or partial) would overwrite
    each other or an input, if they would."""
    roles = {"output": output, "errors file": errors}
    files = {
        f"{role}{' (partial)' if partial else ''}": (_partial(path) if partial else path)
        for role, path in roles.items()
        for partial in (False, True)
    }
    files["progress file"] = _progress_path(output)
    seen: dict[Path, str] = {}
    for name, path in files.items():
        resolved = path.resolve()
        if resolved in seen:
            return f"the {name} and the {seen[resolved]} are the same file, {path}"
        seen[resolved] = name
    for given in inputs:
        name = seen.get(Path(given).resolve())
        if name is not None:
            return f"the {name} {Path(given)} is also an input"
    return None


def check_outputs(
    output: Path, errors: Path, *, resume: bool, inputs: Iterable[str | os.PathLike] = ()
) -> bool:
    """Refuse to overwrite a job's files; return whether there is a run to resume.

    Raises
    ------
    DataError
        Two of the output, errors and progress files are the same file, or one of
        them is one of the ``inputs``.
    FileExistsError
        Without ``resume``, the output, errors or progress file exists (finished or
        in progress); with it, the output exists but its progress file does not.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> check_outputs(out, pathlib.Path(f"{out}.errors.jsonl"), resume=True)
    False
    >>> _ = out.write_text("id,label\\n")
    >>> check_outputs(out, pathlib.Path(f"{out}.errors.jsonl"), resume=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileExistsError: /.../out.csv already exists: remove it or choose another output, or \
pass resume=True (--resume) to finish an interrupted run
    """
    clash = _clashes(output, errors, inputs)
    if clash is not None:
        raise UsageError(f"{clash}: choose another output or errors file (--output, --errors)")
    progress = _progress_path(output)
    files = [output, _partial(output), errors, _partial(errors), progress]
    existing = [path for path in files if path.exists()]
    if existing and not resume:
        raise FileExistsError(
            f"{existing[0]} already exists: remove it or choose another output, "
            "or pass resume=True (--resume) to finish an interrupted run"
        )
    if existing and not progress.exists():
        raise FileExistsError(
            f"nothing to resume: {existing[0]} exists but {progress} does not, so its run "
            "finished (or was not newscat's); remove it to score again"
        )
    return progress.exists()


class ResultFiles:
    """The output, errors and progress files of one job: opening, appending, finishing.

    No file is created before the first :meth:`write` (or :meth:`finish`), and the
    errors file only with the first error.

    Parameters
    ----------
    output, errors : Path
        Final names of the output and of the errors file.
    job : dict
        What defines the job (JSON-able); a resume must present the same.
    resume : bool
        Continue from the progress file if there is one (start if there is none).
    part_rows : int
        Rows per part of a Parquet output.
    csv_escape : bool
        Escape formula-like text cells of a CSV output (see the module docstring).
    fields : tuple of str
        The output's fields: :data:`OUTPUT_FIELDS`, with :data:`EXPLANATION_FIELD`
        after them for a run with explanations.

    Raises
    ------
    FileExistsError
        Without ``resume``, one of the files exists; with it, the output exists but
        its progress file does not (the run finished).
    DataError
        The output format is unknown, two of the files are the same, or ``resume``
        meets the progress file of another job or files changed since.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> files = ResultFiles(out, pathlib.Path(f"{out}.errors.jsonl"), {"inputs": ["a"]})
    >>> list(out.parent.iterdir())
    []
    >>> row = dict.fromkeys(OUTPUT_FIELDS)
    >>> files.write([{**row, "id": "a1", "error": None}, {**row, "id": "a2", "error": "empty"}])
    >>> files.read, files.labelled, files.errors
    (2, 1, 1)
    >>> sorted(path.name for path in out.parent.iterdir())
    ['out.jsonl.errors.jsonl.partial', 'out.jsonl.partial', 'out.jsonl.progress.json']
    >>> files.finish()
    >>> sorted(path.name for path in out.parent.iterdir())
    ['out.jsonl', 'out.jsonl.errors.jsonl']
    """

    def __init__(
        self,
        output: Path,
        errors: Path,
        job: dict,
        *,
        resume: bool = False,
        part_rows: int = DEFAULT_PART_ROWS,
        csv_escape: bool = True,
        fields: tuple[str, ...] = OUTPUT_FIELDS,
    ) -> None:
        self.output, self.errors_path, self.job = output, errors, job
        self._fields = fields
        self.progress_path = _progress_path(output)
        self._format = output_format(output)
        self._part_rows = part_rows
        self._csv_escape = csv_escape
        self._next_checkpoint = 0.0
        self._out: _Writer | None = None
        self._err: _JsonLinesWriter | None = None
        checkpoint = self._load_checkpoint(resume)
        self.read = checkpoint["read"] if checkpoint else 0
        self.labelled = checkpoint["labelled"] if checkpoint else 0
        self.errors = checkpoint["errors"] if checkpoint else 0
        self.position: list[dict] | None = checkpoint["position"] if checkpoint else None
        self.resumed = self.read
        if checkpoint is not None and checkpoint["output"] is not None:
            self._out = self._open_output(checkpoint["output"])
            if checkpoint["errors_file"] is not None:
                self._err = _JsonLinesWriter(_partial(errors), checkpoint["errors_file"])
            else:  # errors written after the checkpoint, if any, are redone
                _remove(_partial(errors))

    def _open_output(self, state: dict | None) -> _Writer:
        path = _partial(self.output)
        return _open_writer(
            path, self._format, state, self._part_rows, self._csv_escape, self._fields
        )

    def _start(self) -> None:
        # The progress file comes first: a crash before the files exist leaves a
        # progress file without file states, and a resume starts afresh.
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self._write_progress(None, None)
        for path in (_partial(self.output), _partial(self.errors_path)):
            _remove(path)
        self._out = self._open_output(None)
        self._save_checkpoint()

    def _load_checkpoint(self, resume: bool) -> dict | None:
        if not check_outputs(self.output, self.errors_path, resume=resume):
            return None
        checkpoint = self._read_progress()
        differences = _job_differences(checkpoint["job"], self.job)
        if differences:
            raise DataError(
                f"cannot resume {self.output}: the interrupted run differs: "
                + "; ".join(differences)
                + ". Resume with the same settings, or write to another output."
            )
        for path, state in ((self.output, "output"), (self.errors_path, "errors_file")):
            if checkpoint[state] is None:
                continue
            if not _partial(path).exists() and path.exists():  # killed while renaming
                os.replace(path, _partial(path))
            if not _partial(path).exists():
                raise DataError(f"cannot resume: {_partial(path)} is missing")
        return checkpoint

    def _read_progress(self) -> dict:
        try:
            checkpoint = json.loads(self.progress_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot resume: {self.progress_path} is unreadable: {exc}") from None
        if checkpoint.get("format") != _PROGRESS_FORMAT:
            raise DataError(f"cannot resume: {self.progress_path} is not a newscat progress file")
        if checkpoint.get("format_version") != _PROGRESS_VERSION:
            raise DataError(
                f"cannot resume: {self.progress_path} has format version "
                f"{checkpoint.get('format_version')!r}; this newscat writes {_PROGRESS_VERSION}"
            )
        return checkpoint

    def _write_progress(self, output_state: dict | None, errors_state: dict | None) -> None:
        _save_json_atomically(
            self.progress_path,
            {
                "format": _PROGRESS_FORMAT,
                "format_version": _PROGRESS_VERSION,
                "job": self.job,
                "read": self.read,
                "labelled": self.labelled,
                "errors": self.errors,
                "position": self.position,
                "output": output_state,
                "errors_file": errors_state,
            },
        )

    def _save_checkpoint(self) -> None:
        """Make the files durable and record their sizes, unless the output cannot cut here."""
        state = self._out.state()
        if state is None:
            return
        self._out.sync()
        if self._err is not None:
            self._err.sync()
        self._write_progress(state, self._err.state() if self._err is not None else None)
        self._next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS

    def write(self, results: list[dict[str, Any]], position: list[dict] | None = None) -> None:
        """Append one batch of results; save a checkpoint if one is due.

        A result has the :data:`OUTPUT_FIELDS` and ``error``: a result with an error
        goes to the errors file, the others to the output. ``position`` is where
        reading the inputs is after this batch (kept in the checkpoint).
        """
        if self._out is None:
            self._start()
        rows = [{name: r[name] for name in self._fields} for r in results if r["error"] is None]
        failed = [{"id": r["id"], "reason": r["error"]} for r in results if r["error"] is not None]
        self._out.write(rows)
        if failed and self._err is None:
            self.errors_path.parent.mkdir(parents=True, exist_ok=True)
            self._err = _JsonLinesWriter(_partial(self.errors_path), None)
        if failed:
            self._err.write(failed)
        self.read += len(results)
        self.labelled += len(rows)
        self.errors += len(failed)
        self.position = position
        if time.monotonic() >= self._next_checkpoint:
            self._save_checkpoint()

    def finish(self) -> None:
        """Close the files, give them their final names and delete the progress file."""
        if self._out is None:  # no records at all: an empty output all the same
            self._start()
        output_state = self._out.close()
        errors_state = self._err.close() if self._err is not None else None
        self._write_progress(output_state, errors_state)
        if self._err is not None:
            os.replace(_partial(self.errors_path), self.errors_path)
        os.replace(_partial(self.output), self.output)
        self.progress_path.unlink()

    def abandon(self) -> None:
        """Close the files after a failure; the last checkpoint stays for a resume.

        If no record was done yet, nothing stays: the files are removed, so that the
        next run starts afresh without ``resume``.
        """
        for writer in (self._out, self._err):
            if writer is not None:
                writer.abandon()
        if self.read == 0:
            for path in (_partial(self.output), _partial(self.errors_path), self.progress_path):
                _remove(path)
