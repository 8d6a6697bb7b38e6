"""Streaming readers of archives to label: folders of articles, JSON Lines, CSV/TSV, Parquet.

An archive is one or more inputs, read one record at a time in a fixed order, so
that memory does not grow with the archive and a run can resume by position:

============================  ==================================================
input                         records and their ids
============================  ==================================================
folder                        every ``.txt``, ``.html`` and ``.htm`` file below it
                              (any case), walked in sorted order; hidden files and
                              folders and other files are skipped. Id: the path
                              relative to the folder, e.g. ``2021/a.txt``.
``.txt``, ``.html`` file      one record; id: the path as given.
``.jsonl``, ``.ndjson``       one JSON object per non-blank line (``.gz``: gzip);
                              id: the ``id_field`` value, else ``FILE:LINE``.
``.csv``, ``.tsv``, ``.tab``  a header row, then one record per row; id: the
                              ``id_field`` column, else ``FILE:LINE``.
``.parquet``                  one record per row, read a batch at a time; id: the
                              ``id_field`` column, else ``FILE:ROW`` (from 1).
============================  ==================================================

``.txt`` files are UTF-8, or UTF-8 / UTF-16 LE / UTF-16 BE with a byte-order mark
(VNTC's original files are UTF-16); CSV/TSV files UTF-8, or UTF-16 with a
byte-order mark (Excel's "Unicode text"). ``.html`` pages are turned into article
text (title, then body) by `trafilatura <https://trafilatura.readthedocs.io>`_.

A problem with one record never stops the reading: an unreadable or undecodable
file, a line of invalid JSON (or JSON nested too deeply, or with an integer of more
than 4,300 digits), a missing or non-string text field, an empty text, a record of
more than :data:`MAX_RECORD_BYTES` (10 MiB: a JSON line, an article file; 10 Mi
characters for a CSV record), or something in a folder that is not a regular file (a
FIFO, a device, a socket, or a link to one) becomes a :class:`Record` whose
``error`` gives the reason, naming the file and line. Over-long lines are read in
pieces and dropped, never held in memory whole; special files are never opened in a
way that could block. A problem with a whole input (missing, not a regular file or
folder, unknown format, a CSV or Parquet file without the text column) raises
:class:`~newscat.errors.DataError` when the :class:`Archive` is opened, before any
record is read.

Where reading is (:meth:`Archive.position`) is, per input: its size and modification
time, how many records were read, and a SHA-256 of what they were read from (the
lines of a JSON Lines or CSV file, after decompression; the names, sizes and
modification times of a folder's files; a Parquet file's footer). A resumed run
passes it back to :meth:`Archive.records`, which refuses inputs that changed since.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import itertools
import json
import os
import stat
import threading
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..extras import require
from ..text.decode import decode_text
from .formats import ARTICLE_FORMATS, CSV_DELIMITERS, FORMATS_HELP, ROWS_HELP, input_format

__all__ = [
    "MAX_RECORD_BYTES",
    "Archive",
    "Record",
    "html_to_text",
    "iter_records",
    "iter_rows",
    "missing_field",
    "record_from_mapping",
]

_CSV_FIELD_LIMIT = 2**31 - 1  # records are bounded by MAX_RECORD_BYTES instead
MAX_RECORD_BYTES = 10 * 2**20  # a longer line, CSV record or article file is an error record
_CHUNK = 2**20  # how much of an over-long line is held at a time while skipping it
_LINE_ENDS = (b"\n", "\n", "\r")  # binary lines end at LF; CSV (newline="") also at CR
_NONBLOCKING = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
_PARQUET_BATCH = 1024

InputPaths = str | os.PathLike | Sequence[str | os.PathLike]


@dataclass(frozen=True)
class Record:
    """One input record: its id and either its text or the reason it has none.

    ``html`` holds the raw bytes of an ``.html`` file until :meth:`resolve` extracts
    its article; readers resolve records unless asked not to, so that the costly
    extraction can run in worker processes instead. ``source`` is the value of a
    row's ``source`` field (e.g. the newspaper), when it has one.
    """

    id: str
    text: str | None = None
    error: str | None = None
    html: bytes | None = field(default=None, repr=False)
    source: str | None = field(default=None, repr=False, compare=False)  # a row's "source"

    def resolve(self) -> Record:
        """Return the record with its HTML page turned into article text (or the reason why not).

        Examples
        --------
        >>> page = "<html><body><article><p>Mưa lớn ở Huế.</p></article></body></html>"
        >>> Record("a.html", html=page.encode()).resolve()
        Record(id='a.html', text='Mưa lớn ở Huế.', error=None)
        >>> Record("b.html", html=b"<html><body></body></html>").resolve().error
        'b.html: no article text found in the HTML page'
        """
        if self.html is None:
            return self
        text = html_to_text(self.html)
        if text is None:
            return Record(self.id, error=f"{self.id}: no article text found in the HTML page")
        return _text_record(self.id, text)


def _text_record(id_: str, text: str) -> Record:
    return Record(id_, text) if text.strip() else Record(id_, error="empty text")


def _is_valid_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: undecodable bytes or bad JSON escapes
        return False
    return True


def _too_long(where: str) -> str:
    return f"{where}: longer than {MAX_RECORD_BYTES:,} bytes, the limit per record"


def _special_kind(mode: int) -> str | None:
    """What a file of this ``st_mode`` is, if not a regular file.

    Examples
    --------
    >>> _special_kind(os.stat(os.devnull).st_mode)
    'a character device'
    >>> _special_kind(stat.S_IFREG) is None
    True
    """
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a regular file")


class _NotRegularFile(OSError):
    """A path that is a FIFO, device, socket or folder where a regular file was expected."""


def _open_regular(path: Path):
    """Open a regular file for binary reading; :class:`_NotRegularFile` for anything else.

    The file is opened non-blocking and checked again once open, so a FIFO put in
    its place meanwhile cannot make reading wait forever.
    """
    kind = _special_kind(os.stat(path).st_mode)
    if kind is None:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCKING | getattr(os, "O_BINARY", 0))
        kind = _special_kind(os.fstat(descriptor).st_mode)
        if kind is None:
            return os.fdopen(descriptor, "rb")
        os.close(descriptor)
    raise _NotRegularFile(f"{kind}, not a regular file")


def _bounded_lines(f, seen: Callable[[Any], Any] | None = None) -> Iterator[Any]:
    """The lines of ``f``, binary or text; ``None`` for a line over :data:`MAX_RECORD_BYTES`.

    An over-long line is read and dropped a piece at a time, never held whole.
    ``seen`` (if given) is called with every piece read, so that a digest covers it.

    Examples
    --------
    >>> list(_bounded_lines(io.BytesIO(b"a\\n\\nb")))
    [b'a\\n', b'\\n', b'b']
    """
    while line := f.readline(MAX_RECORD_BYTES + 1):
        if seen is not None:
            seen(line)
        if len(line) <= MAX_RECORD_BYTES or line[-1:] in _LINE_ENDS:
            yield line
            continue
        while rest := f.readline(_CHUNK):
            if seen is not None:
                seen(rest)
            if rest[-1:] in _LINE_ENDS:
                break
        yield None


def html_to_text(html: bytes | str) -> str | None:
    """Return the article of an HTML page (title, newline, body), or None if it has none.

    The page's encoding is detected from its bytes; menus, footers, comments and
    tables are left out.

    Examples
    --------
    >>> page = (
    ...     "<html><head><title>Mưa lớn ở Hà Nội</title></head><body>"
    ...     "<nav><a href='/'>Trang chủ</a> <a href='/xh'>Xã hội</a></nav><article>"
    ...     "<p>Mưa lớn kéo dài từ đêm qua khiến nhiều tuyến phố ở Hà Nội ngập sâu.</p>"
    ...     "<p>Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết mưa còn kéo dài.</p>"
    ...     "</article><footer>© Báo Lao Động</footer></body></html>"
    ... )
    >>> print(html_to_text(page.encode("utf-8")))
    Mưa lớn ở Hà Nội
    Mưa lớn kéo dài từ đêm qua khiến nhiều tuyến phố ở Hà Nội ngập sâu.
    Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết mưa còn kéo dài.
    """
    trafilatura = require("trafilatura", "html")
    doc = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True
    )
    if doc is None or not doc.text:
        return None
    if doc.title and not doc.text.startswith(doc.title):
        return f"{doc.title}\n{doc.text}"
    return doc.text


def missing_field(row: Mapping, name: str) -> str | None:
    """Why ``row`` has no value for ``name`` (absent or null), or None when it has one.

    Examples
    --------
    >>> missing_field({"body": "x", "label": None}, "text")
    "missing field 'text' (fields present: body, label)"
    >>> missing_field({"label": None}, "label")
    "field 'label' is null (fields present: label)"
    """
    if row.get(name) is not None:
        return None
    present = ", ".join(sorted(str(key) for key in row)) or "none"
    problem = f"field {name!r} is null" if name in row else f"missing field {name!r}"
    return f"{problem} (fields present: {present})"


def record_from_mapping(
    row: Any,
    *,
    fallback_id: str,
    where: str,
    text_field: str = "text",
    id_field: str = "id",
) -> Record:
    """Make the record of one parsed row: a JSON object, a CSV row, a Parquet row.

    ``fallback_id`` is the id when the row has no ``id_field`` value; ``where``
    (e.g. ``"a.jsonl line 3"``) starts the reason of a row without usable text.

    Examples
    --------
    >>> record_from_mapping({"id": 7, "text": "Mưa lớn"}, fallback_id="a:1", where="a line 1")
    Record(id='7', text='Mưa lớn', error=None)
    >>> record_from_mapping({"body": "x"}, fallback_id="a:2", where="a line 2").error
    "a line 2: missing field 'text' (fields present: body)"
    >>> record_from_mapping({"text": " "}, fallback_id="a:3", where="a line 3")
    Record(id='a:3', text=None, error='empty text')
    """
    if not isinstance(row, Mapping):
        return Record(fallback_id, error=f"{where}: expected an object, got {type(row).__name__}")
    raw_id = row.get(id_field)
    id_ = fallback_id if raw_id is None or raw_id == "" else str(raw_id)
    if not _is_valid_unicode(id_):
        return Record(fallback_id, error=f"{where}: field {id_field!r} is not valid UTF-8")
    problem = missing_field(row, text_field)
    if problem is not None:
        return Record(id_, error=f"{where}: {problem}")
    text = row[text_field]
    if not isinstance(text, str):
        return Record(
            id_, error=f"{where}: field {text_field!r} is {type(text).__name__}, not text"
        )
    if not _is_valid_unicode(text):
        return Record(id_, error=f"{where}: field {text_field!r} is not valid UTF-8")
    source = row.get("source")
    if isinstance(source, str) and _is_valid_unicode(source):
        return replace(_text_record(id_, text), source=source)
    return _text_record(id_, text)


class _Source(ABC):
    """One input of an archive: its records in order, how many there are, and where reading is."""

    def __init__(self, path: Path, label: str, text_field: str, id_field: str) -> None:
        self.path = path
        self.label = label  # the path as the user gave it, for ids and messages
        self.text_field = text_field
        self.id_field = id_field
        self.resolved = str(path.resolve())
        info = path.stat()
        folder = stat.S_ISDIR(info.st_mode)
        self.size = None if folder else info.st_size
        self.mtime_ns = None if folder else info.st_mtime_ns
        self.read = 0  # records read (or skipped) by the last records()
        self._digest = hashlib.sha256()
        self._expected: Mapping | None = None

    @abstractmethod
    def count(self, stop: threading.Event | None = None) -> int | None:
        """Number of records, without decoding them; None if ``stop`` was set meanwhile."""

    @abstractmethod
    def _records(self, skip: int, digest) -> Iterator[Record]:
        """The records after the first ``skip``; ``digest`` covers what they are read from.

        After the first ``skip`` records are passed over, ``self.read`` is how many
        there were (fewer if the input has fewer), and ``_skipped()`` is called.
        """

    def records(self, skip: int = 0, expected: Mapping | None = None) -> Iterator[Record]:
        """The records after the first ``skip``, in order.

        ``expected`` is this input's :meth:`position` when ``skip`` records had been
        read: a :class:`~newscat.errors.DataError` is raised, before the first record,
        if they are not read from the same data now.
        """
        self.read, self._digest, self._expected = 0, hashlib.sha256(), expected
        for record in self._records(skip, self._digest):
            self.read += 1
            yield record

    def _skipped(self, skipped: int) -> None:
        self.read = skipped
        expected = self._expected  # with no record read from it then, there is nothing to check
        if not expected or not expected["records"]:
            return
        if (skipped, self._digest.hexdigest()) != (expected["records"], expected["sha256"]):
            raise DataError(
                f"cannot resume: {self.label} changed since the interrupted run (its first "
                f"{expected['records']:,} records are not the ones read then); restore it, "
                "or score it to another output"
            )

    def position(self) -> dict[str, Any]:
        """Size, modification time, records read and the SHA-256 of what they were read from."""
        return {
            "input": self.resolved,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "records": self.read,
            "sha256": self._digest.hexdigest(),
        }

    def _from_mapping(self, row: Any, number: int, where: str) -> Record:
        try:
            return record_from_mapping(
                row,
                fallback_id=f"{self.label}:{number}",
                where=where,
                text_field=self.text_field,
                id_field=self.id_field,
            )
        except RecursionError:  # an id nested too deeply to turn into text
            return Record(f"{self.label}:{number}", error=f"{where}: id nested too deeply")


class _UnitSource(_Source):
    """A source read as cheap units (paths, raw lines, rows), one per record.

    Counting and skipping go over the units only; a unit becomes a record (decoded,
    parsed, checked) only when it is read.
    """

    @abstractmethod
    def _units(self, digest=None) -> Iterator[Any]:
        """One unit per record, in order; ``digest`` (if given) is fed what they are read from."""

    @abstractmethod
    def _record(self, unit: Any) -> Record:
        """The record of one unit."""

    def count(self, stop: threading.Event | None = None) -> int | None:
        n = 0
        for _ in self._units():
            if stop is not None and stop.is_set():
                return None
            n += 1
        return n

    def _records(self, skip: int, digest) -> Iterator[Record]:
        units = self._units(digest)
        self._skipped(sum(1 for _ in itertools.islice(units, skip)))
        return map(self._record, units)


class _FilesSource(_UnitSource):
    """A folder of article files, or one article file."""

    def _units(self, digest=None) -> Iterator[tuple[str, Path | OSError]]:
        for id_, path in self._paths():
            if digest is not None:  # a folder's digest: names, sizes and modification times
                try:
                    info = os.stat(path)
                    digest.update(f"{id_}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
                except (OSError, TypeError):  # reading it gives the reason
                    digest.update(f"{id_}\0\n".encode())
            yield id_, path

    def _paths(self) -> Iterator[tuple[str, Path | OSError]]:
        if not self.path.is_dir():
            yield self.label, self.path
            return
        failures: list[OSError] = []
        for folder, subfolders, names in os.walk(self.path, onerror=failures.append):
            yield from self._failed_folders(failures)
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            for name in sorted(names):
                if not name.startswith(".") and input_format(name) in ARTICLE_FORMATS:
                    path = Path(folder, name)
                    yield path.relative_to(self.path).as_posix(), path
        yield from self._failed_folders(failures)

    def _failed_folders(self, failures: list[OSError]) -> Iterator[tuple[str, OSError]]:
        for exc in failures:
            folder = Path(exc.filename or self.path).relative_to(self.path).as_posix()
            yield f"{folder}/", exc
        failures.clear()

    def _record(self, unit: tuple[str, Path | OSError]) -> Record:
        id_, path = unit
        if isinstance(path, OSError):
            return Record(id_, error=f"{id_}: cannot read folder: {path.strerror or path}")
        try:
            with _open_regular(path) as f:
                data = f.read(MAX_RECORD_BYTES + 1)
        except _NotRegularFile as exc:
            return Record(id_, error=f"{id_}: {exc}; skipped")
        except OSError as exc:
            return Record(id_, error=f"{id_}: cannot read: {exc.strerror or exc}")
        if len(data) > MAX_RECORD_BYTES:
            return Record(id_, error=_too_long(id_))
        if input_format(path.name) == "html":
            return Record(id_, html=data)
        try:
            return _text_record(id_, decode_text(data, id_))
        except DataError as exc:
            return Record(id_, error=str(exc))


class _RowSource(_UnitSource):
    """A source whose units are rows of named fields, one per line (or CSV record)."""

    @abstractmethod
    def _row(self, unit: Any) -> tuple[int, Any, str | None]:
        """``(line number, parsed row, None)``, or ``(line number, None, reason)``."""

    def _record(self, unit: Any) -> Record:
        number, row, error = self._row(unit)
        if error is not None:
            return Record(f"{self.label}:{number}", error=error)
        return self._from_mapping(row, number, f"{self.label} line {number}")

    def rows(self) -> Iterator[tuple[str, Mapping]]:
        """``(where, row)`` for every row; the first one that is not a valid row raises."""
        for unit in self._units():
            number, row, error = self._row(unit)
            where = f"{self.label} line {number}"
            if error is None and not isinstance(row, Mapping):
                error = f"{where}: expected an object, got {type(row).__name__}"
            if error is None:
                bad = [k for k, v in row.items() if isinstance(v, str) and not _is_valid_unicode(v)]
                if bad:
                    error = f"{where}: field {bad[0]!r} is not valid UTF-8"
            if error is not None:
                raise DataError(error)
            yield where, row


class _JsonLinesSource(_RowSource):
    """JSON Lines, plain or gzip-compressed: one JSON object per non-blank line."""

    def _units(self, digest=None) -> Iterator[tuple[int, bytes | Exception | None]]:
        number = 0
        try:
            with _open_regular(self.path) as raw:
                compressed = self.path.name.lower().endswith(".gz")
                with gzip.GzipFile(fileobj=raw) if compressed else raw as f:
                    lines = _bounded_lines(f, digest.update if digest is not None else None)
                    for number, line in enumerate(lines, 1):
                        if line is None or line.strip():
                            yield number, line
        except (OSError, EOFError, zlib.error) as exc:  # unreadable, truncated, not gzip
            yield number + 1, exc

    def _row(self, unit: tuple[int, bytes | Exception | None]) -> tuple[int, Any, str | None]:
        number, line = unit
        if isinstance(line, Exception):
            reason = f"{self.label}: unreadable from line {number}: {line or type(line).__name__}"
            return number, None, reason
        where = f"{self.label} line {number}"
        if line is None:
            return number, None, _too_long(where)
        try:
            return number, json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8")), None
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 ({exc.reason} at byte {exc.start})"
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg} (column {exc.colno})"
        except ValueError as exc:  # an integer beyond Python's int-string conversion limit
            reason = f"unusable JSON: {str(exc).split(';')[0]}"
        except RecursionError:
            reason = "unusable JSON: nested too deeply"
        return number, None, f"{where}: {reason}"


class _CsvError(Exception):
    """A CSV record that cannot be read: too long, or malformed."""


class _CsvLines:
    """The lines ``csv.reader`` reads from a text file: counted, fed to a digest, bounded.

    A record (all its lines) longer than :data:`MAX_RECORD_BYTES` characters raises
    :class:`_CsvError` once its lines are read past: up to the end of the line, and
    then while a quoted field is open (an odd number of ``"`` so far).
    """

    def __init__(self, f, digest) -> None:
        self._digest = digest
        self._lines = _bounded_lines(f, self._seen)
        self.number = 0  # lines read
        self._size = 0  # characters of the current record so far
        self._quotes = 0  # quote characters in it: odd while a quoted field is open

    def _seen(self, piece: str) -> None:
        self._quotes += piece.count('"')
        if self._digest is not None:
            self._digest.update(piece.encode("utf-8", "surrogatepass"))

    def next_record(self) -> None:
        """The next line starts a new record."""
        self._size = self._quotes = 0

    def skip_record(self) -> None:
        """Read past the rest of the current record."""
        while self._quotes % 2 and next(self._lines, self) is not self:
            self.number += 1
        self.next_record()

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        self._size += MAX_RECORD_BYTES + 1 if line is None else len(line)
        if self._size > MAX_RECORD_BYTES:
            raise _CsvError(f"longer than {MAX_RECORD_BYTES:,} characters, the limit per record")
        return line


class _CsvSource(_RowSource):
    """CSV or TSV with a header row; a row's line number is where it starts."""

    def __init__(self, path: Path, label: str, text_field: str, id_field: str) -> None:
        super().__init__(path, label, text_field, id_field)
        self.delimiter = CSV_DELIMITERS[path.suffix.lower()]
        csv.field_size_limit(_CSV_FIELD_LIMIT)
        try:
            with self._open() as f:
                self.header = next(csv.reader(_CsvLines(f, None), delimiter=self.delimiter), [])
        except (OSError, UnicodeError, csv.Error, _CsvError) as exc:
            raise DataError(f"{label}: cannot read the header row: {exc}") from None
        if self.header and text_field not in self.header:
            raise DataError(
                f"{label}: no column {text_field!r} (columns: {', '.join(self.header)}); "
                "name the text column with text_field / --text-field"
            )

    def _open(self) -> io.TextIOWrapper:
        raw = _open_regular(self.path)
        utf16 = raw.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        raw.seek(0)
        encoding = "utf-16" if utf16 else "utf-8-sig"
        # Undecodable bytes become lone surrogates, reported per row, not per file.
        return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")

    def _units(self, digest=None) -> Iterator[tuple[int, list[str] | Exception]]:
        number = 1
        try:
            with self._open() as f:
                lines = _CsvLines(f, digest)
                reader = csv.reader(lines, delimiter=self.delimiter)
                if next(reader, None) is None:
                    return
                while True:
                    lines.next_record()
                    number = lines.number + 1
                    try:
                        row = next(reader)
                    except (csv.Error, _CsvError) as exc:  # one bad record: skip it
                        lines.skip_record()
                        yield number, _CsvError(f"{self.label} line {number}: {exc}")
                        continue
                    except StopIteration:
                        return
                    if row:  # a blank line is no record
                        yield number, row
        except (OSError, UnicodeError) as exc:
            yield number, exc

    def _row(self, unit: tuple[int, list[str] | Exception]) -> tuple[int, Any, str | None]:
        number, row = unit
        if isinstance(row, _CsvError):
            return number, None, str(row)
        if isinstance(row, Exception):
            return number, None, f"{self.label}: unreadable from line {number}: {row}"
        return number, dict(zip(self.header, row)), None


def _is_text_type(arrow_type) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


class _ParquetSource(_Source):
    """A Parquet file, read a row group and a batch at a time, only the needed columns."""

    def __init__(self, path: Path, label: str, text_field: str, id_field: str) -> None:
        pa = require("pyarrow", "parquet")
        pq = require("pyarrow.parquet", "parquet")

        super().__init__(path, label, text_field, id_field)
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{label}: not a readable Parquet file: {exc}") from None
        if text_field not in schema.names:
            raise DataError(
                f"{label}: no column {text_field!r} (columns: {', '.join(schema.names)}); "
                "name the text column with text_field / --text-field"
            )
        if not _is_text_type(schema.field(text_field).type):
            raise DataError(
                f"{label}: column {text_field!r} holds {schema.field(text_field).type}, not text"
            )
        self.columns = [text_field]
        if id_field in schema.names and id_field != text_field:
            self.columns.append(id_field)

    def count(self, stop: threading.Event | None = None) -> int | None:
        import pyarrow.parquet as pq

        return pq.read_metadata(self.path).num_rows

    def _footer(self) -> bytes:
        """The file's metadata as stored: row groups, offsets, statistics (a rewrite changes it)."""
        with _open_regular(self.path) as f:
            f.seek(-8, os.SEEK_END)
            size = int.from_bytes(f.read(4), "little")
            f.seek(-8 - size, os.SEEK_END)
            return f.read(size)

    def _records(self, skip: int, digest) -> Iterator[Record]:
        import pyarrow.parquet as pq

        with pq.ParquetFile(self.path) as parquet:
            digest.update(self._footer())
            self._skipped(min(skip, parquet.metadata.num_rows))
            first = 0
            for group in range(parquet.num_row_groups):
                size = parquet.metadata.row_group(group).num_rows
                if first + size > skip:
                    yield from self._group(parquet, group, first, size, skip)
                first += size

    def _group(self, parquet, group: int, first: int, size: int, skip: int) -> Iterator[Record]:
        """Rows ``first+1 .. first+size``; the rest of a damaged row group become error records."""
        import pyarrow as pa

        number = first
        try:
            for batch in parquet.iter_batches(
                batch_size=_PARQUET_BATCH, row_groups=[group], columns=self.columns
            ):
                columns = batch.to_pydict()
                for row in (dict(zip(columns, values)) for values in zip(*columns.values())):
                    number += 1
                    if number > skip:
                        yield self._from_mapping(row, number, f"{self.label} row {number}")
        except (OSError, pa.ArrowException) as exc:
            for lost in range(max(number, skip) + 1, first + size + 1):
                reason = f"{self.label} row {lost}: unreadable row group {group}: {exc}"
                yield Record(f"{self.label}:{lost}", error=reason)


def iter_rows(
    path: str | os.PathLike, *, text_field: str = "text"
) -> Iterator[tuple[str, Mapping]]:
    """Yield ``(where, row)`` for each row of a JSON Lines or CSV/TSV file, strictly.

    Unlike :class:`Archive`, which turns a bad record into an error record, the first
    line that cannot be read or parsed raises :class:`~newscat.errors.DataError`
    naming it: for data that must be whole, such as training data.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.tsv"
    >>> _ = path.write_text("text\\tlabel\\nMưa lớn\\tweather\\n", encoding="utf-8")
    >>> [(where.rsplit("/", 1)[-1], row) for where, row in iter_rows(path)]
    [('a.tsv line 2', {'text': 'Mưa lớn', 'label': 'weather'})]
    """
    label, path = os.fspath(path), Path(path)
    fmt = input_format(path.name)
    if fmt == "jsonl":
        source: type[_RowSource] = _JsonLinesSource
    elif fmt == "csv":
        source = _CsvSource
    else:
        raise DataError(f"{label}: unknown format; expected {ROWS_HELP}")
    if _is_folder(path, label):
        raise DataError(f"{label}: a folder, not a file")
    return source(path, label, text_field, "id").rows()


def _is_folder(path: Path, label: str) -> bool:
    """Whether an input is a folder (else a regular file); DataError if it is neither."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise DataError(f"{label}: no such file or folder") from None
    except OSError as exc:
        raise DataError(f"{label}: cannot read: {exc.strerror or exc}") from None
    kind = _special_kind(info.st_mode)
    if kind not in (None, "a folder"):
        raise DataError(
            f"{label}: {kind}, not a regular file or folder; save the data to a file first"
        )
    return kind is not None


def _open_source(path: Path, label: str, text_field: str, id_field: str) -> _Source:
    fmt = input_format(path.name)
    if _is_folder(path, label) or fmt in ARTICLE_FORMATS:
        source: type[_Source] = _FilesSource
    elif fmt == "jsonl":
        source = _JsonLinesSource
    elif fmt == "csv":
        source = _CsvSource
    elif fmt == "parquet":
        source = _ParquetSource
    else:
        one_json = path.name.lower().endswith(".json")
        hint = " (one object per line? rename it .jsonl)" if one_json else ""
        raise DataError(f"{label}: unknown input format{hint}; expected {FORMATS_HELP}")
    return source(path, label, text_field, id_field)


class Archive:
    """The records of one or more inputs, in a fixed order.

    Opening an archive checks every input (exists, is a regular file or folder, known
    format, has the text column) and raises :class:`~newscat.errors.DataError`
    naming the first bad one; reading never raises for a bad record but yields it
    with its ``error``.

    Parameters
    ----------
    inputs : path or list of paths
        Folders and files, in the order to read them (see the module docstring).
    text_field, id_field : str
        Field or column holding the text, and the one holding the id.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.jsonl").write_text('{"id": "x1", "text": "Mưa lớn"}\\n{"text": ""}\\n')
    >>> archive = Archive([folder / "a.jsonl"])
    >>> archive.count()
    2
    >>> [(r.id, r.error) for r in archive.records()]  # doctest: +ELLIPSIS
    [('x1', None), ('/.../a.jsonl:2', 'empty text')]
    """

    def __init__(
        self, inputs: InputPaths, *, text_field: str = "text", id_field: str = "id"
    ) -> None:
        paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        if not paths:
            raise DataError("no inputs given: pass one or more files or folders")
        self.sources = [
            _open_source(Path(path), os.fspath(path), text_field, id_field) for path in paths
        ]

    @property
    def paths(self) -> list[str]:
        """The inputs as absolute paths."""
        return [source.resolved for source in self.sources]

    def position(self) -> list[dict[str, Any]]:
        """Where reading is, per input: ``input`` (absolute path), ``size`` and ``mtime_ns``
        (None for a folder), ``records`` read and ``sha256`` of what they were read from.

        Pass it back to :meth:`records` to go on from there, safely, in another process.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
        >>> _ = path.write_text('{"text": "Mưa"}\\n{"text": "Bão"}\\n')
        >>> archive = Archive(path)
        >>> first = next(archive.records())
        >>> [(p["records"], p["size"]) for p in archive.position()]
        [(1, 34)]
        >>> [r.text for r in Archive(path).records(1, position=archive.position())]
        ['Bão']
        >>> _ = path.write_text('{"text": "Gió lớn"}\\n{"text": "Bão"}\\n')
        >>> list(Archive(path).records(1, position=archive.position()))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        newscat.errors.DataError: cannot resume: .../a.jsonl changed since the interrupted run \
(...); restore it, or score it to another output
        """
        return [source.position() for source in self.sources]

    def count(self, stop: threading.Event | None = None) -> int | None:
        """Number of records, read cheaply (lines, rows, file names, Parquet metadata).

        Returns None if the event ``stop`` gets set before the count is done (it is
        meant for a background thread feeding a progress bar).
        """
        total = 0
        for source in self.sources:
            n = source.count(stop)
            if n is None:
                return None
            total += n
        return total

    def records(
        self,
        skip: int = 0,
        *,
        resolve_html: bool = True,
        position: Sequence[Mapping] | None = None,
    ) -> Iterator[Record]:
        """Yield the records after the first ``skip``, in order.

        Skipped records are not decoded, parsed or extracted. With ``resolve_html``
        false, records of HTML files keep their raw page for :meth:`Record.resolve`.

        ``position`` is what :meth:`position` gave after ``skip`` records: then an
        input whose size or modification time differs raises
        :class:`~newscat.errors.DataError` at once, and one whose skipped records
        are not read from the same data raises it before the first record.
        """
        if skip < 0:
            raise ValueError(f"skip must be 0 or more, got {skip}")
        if position is not None:
            self._check_position(skip, position)
        return self._records(skip, resolve_html, position)

    def _check_position(self, skip: int, position: Sequence[Mapping]) -> None:
        if [p["input"] for p in position] != self.paths or sum(
            p["records"] for p in position
        ) != skip:
            raise ValueError(f"position is not that of {skip} records of these inputs")
        for source, before in zip(self.sources, position):
            changes = [
                what
                for what, key in (("size", "size"), ("modification time", "mtime_ns"))
                if before[key] != getattr(source, key)
            ]
            if changes:
                raise DataError(
                    f"cannot resume: {source.label} changed since the interrupted run "
                    f"(other {' and '.join(changes)}); restore it, or score it to another output"
                )

    def _records(
        self, skip: int, resolve_html: bool, position: Sequence[Mapping] | None
    ) -> Iterator[Record]:
        for i, source in enumerate(self.sources):
            expected = position[i] if position is not None else None
            records = source.records(expected["records"] if expected else skip, expected)
            yield from (record.resolve() for record in records) if resolve_html else records
            skip = max(0, skip - source.read)


def iter_records(
    inputs: InputPaths, *, text_field: str = "text", id_field: str = "id", skip: int = 0
) -> Iterator[Record]:
    """Yield the records of ``inputs`` in order; shorthand for :meth:`Archive.records`.

    Inputs are checked at once: a missing input or an unknown format raises
    :class:`~newscat.errors.DataError` before the first record.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "b.txt").write_bytes("Bão số 3".encode("utf-16"))
    >>> _ = (folder / "a.txt").write_bytes(b"M\\xffa")
    >>> for record in iter_records(folder):
    ...     print(record.id, record.text, record.error)
    a.txt None a.txt: cannot decode as utf-8: invalid start byte at byte 1; save the file as UTF-8
    b.txt Bão số 3 None
    """
    return Archive(inputs, text_field=text_field, id_field=id_field).records(skip)
