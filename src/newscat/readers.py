"""Readers of labelled articles: JSONL(.gz), CSV/TSV and a folder per label of .txt files.

Every reader yields :class:`LabelledData`; problems raise :class:`~newscat.errors.DataError`
naming the file and line.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
>>> _ = path.write_text('{"text": "Mưa lớn", "label": "weather"}\\n', encoding="utf-8")
>>> read_labelled([path]).labels
['weather']
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError

__all__ = ["LabelledData", "read_labelled", "read_text_file", "decode_text"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class LabelledData:
    """Texts with their labels, ids and where each came from (``file:line``)."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, text: str, label: str, id_: str, source: str) -> None:
        """Append one labelled text."""
        self.texts.append(text)
        self.labels.append(label)
        self.ids.append(id_)
        self.sources.append(source)

    def extend(self, other: LabelledData) -> None:
        """Append all of ``other``."""
        for name in ("texts", "labels", "ids", "sources", "skipped"):
            getattr(self, name).extend(getattr(other, name))

    def summary(self) -> dict:
        """Counts and a content hash, for a model's metadata."""
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels):
            digest.update(f"{label}\t{text}\n".encode())
        summary = {
            "n_documents": len(self),
            "label_counts": dict(sorted(Counter(self.labels).items())),
            "sha256": digest.hexdigest(),
        }
        if self.skipped:
            summary["skipped"] = {"count": len(self.skipped), "first": self.skipped[:5]}
        return summary


def decode_text(data: bytes, where: str) -> str:
    """Decode file bytes: UTF-8, or UTF-8/UTF-16 LE/BE announced by a byte-order mark.

    Examples
    --------
    >>> decode_text("Huế".encode("utf-16"), "a.txt")
    'Huế'
    >>> decode_text(b"\\xff\\xfe\\x00\\xd8", "b.txt")
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: b.txt: cannot decode as utf-16: ...
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{where}: cannot decode as {encoding}: {exc.reason} at byte {exc.start}"
            + ("" if encoding != "utf-8" else "; save the file as UTF-8")
        ) from None


def read_text_file(path: str | os.PathLike) -> str:
    """Read a .txt file in any encoding :func:`decode_text` accepts."""
    return decode_text(Path(path).read_bytes(), str(path))


def _field(row: dict, name: str, where: str) -> str:
    if name not in row or row[name] is None:
        present = ", ".join(sorted(map(str, row))) or "none"
        raise DataError(f"{where}: missing field {name!r} (fields present: {present})")
    value = row[name]
    if not isinstance(value, str):
        value = str(value)
    return value


def _add_row(data: LabelledData, row: dict, where: str, fields: tuple, skip_empty: bool) -> None:
    text_field, label_field, id_field = fields
    text = _field(row, text_field, where)
    label = _field(row, label_field, where).strip()
    if not text.strip():
        if skip_empty:
            data.skipped.append(f"{where}: empty text")
            return
        raise DataError(f"{where}: empty text (pass skip_empty=True to skip such records)")
    if not label:
        raise DataError(f"{where}: empty label")
    data.add(text, label, str(row.get(id_field) or where), where)


def _jsonl_rows(path: Path) -> Iterator[tuple[dict, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{path} line {number}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{where}: invalid JSON: {exc.msg}") from None
                if not isinstance(row, dict):
                    raise DataError(f"{where}: expected a JSON object, got {type(row).__name__}")
                yield row, where
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except (OSError, EOFError) as exc:  # gzip: truncated or not gzip at all
        raise DataError(f"{path}: cannot read: {exc}") from None


def _csv_rows(path: Path) -> Iterator[tuple[dict, str]]:
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    csv.field_size_limit(sys.maxsize)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f, delimiter=delimiter)
            for row in reader:
                yield row, f"{path} line {reader.line_num}"
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV: {exc}") from None


def _read_folder(path: Path) -> LabelledData:
    data = LabelledData()
    for folder in sorted(p for p in path.iterdir() if p.is_dir()):
        for file in sorted(folder.rglob("*.txt")):
            text = read_text_file(file)
            if not text.strip():
                raise DataError(f"{file}: empty text")
            data.add(text, folder.name, str(file.relative_to(path)), str(file))
    if not data:
        raise DataError(f"{path}: no .txt files in label folders (expected {path}/LABEL/*.txt)")
    return data


_FORMATS = {".jsonl": _jsonl_rows, ".jsonl.gz": _jsonl_rows, ".csv": _csv_rows, ".tsv": _csv_rows}


def _read_one(path: Path, fields: tuple[str, str, str], skip_empty: bool) -> LabelledData:
    if path.is_dir():
        return _read_folder(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    name = path.name.lower()
    rows = next((fn for ext, fn in _FORMATS.items() if name.endswith(ext)), None)
    if rows is None:
        raise DataError(
            f"{path}: unknown format; expected .jsonl, .jsonl.gz, .csv, .tsv or a folder per label"
        )
    data = LabelledData()
    for row, where in rows(path):
        _add_row(data, row, where, fields, skip_empty)
    return data


def read_labelled(
    paths: Sequence[str | os.PathLike] | str | os.PathLike,
    *,
    text_field: str = "text",
    label_field: str = "label",
    id_field: str = "id",
    skip_empty: bool = False,
) -> LabelledData:
    """Read and combine labelled articles from files and label folders.

    Parameters
    ----------
    paths : path or list of paths
        ``.jsonl``/``.jsonl.gz`` (one object per line), ``.csv``/``.tsv`` (a header
        row), or a folder with one sub-folder of ``.txt`` files per label (VNTC's
        layout; UTF-8, or UTF-8/UTF-16 with a byte-order mark).
    text_field, label_field, id_field : str
        Field or column names; a record without an id gets ``file line N``.
    skip_empty : bool
        Skip records with an empty text instead of failing; each one is listed in
        :attr:`LabelledData.skipped` and counted in the summary.

    Raises
    ------
    DataError
        A file is missing, of unknown format, undecodable, or a record lacks a
        field; or nothing was read at all.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    data = LabelledData()
    for path in paths:
        data.extend(_read_one(Path(path), (text_field, label_field, id_field), skip_empty))
    if not data:
        raise DataError(f"no labelled texts in {', '.join(map(str, paths)) or 'no input'}")
    return data
