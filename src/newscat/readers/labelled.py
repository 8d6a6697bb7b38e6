"""Readers of labelled articles: JSON Lines, CSV/TSV and a folder per label of .txt files.

Every reader yields :class:`LabelledData`; problems raise :class:`~newscat.errors.DataError`
naming the file and line. Files are parsed by :func:`newscat.readers.archive.iter_rows`, as
archives to label are, but strictly: training data must be whole.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
>>> _ = path.write_text('{"text": "Mưa lớn", "label": "weather"}\\n', encoding="utf-8")
>>> read_labelled([path]).labels
['weather']
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..text.decode import read_text_file
from .archive import MAX_RECORD_BYTES, iter_rows, missing_field

__all__ = ["LabelledData", "read_labelled"]


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


def _field(row: Mapping, name: str, where: str) -> str:
    problem = missing_field(row, name)
    if problem is not None:
        raise DataError(f"{where}: {problem}")
    value = row[name]
    if not isinstance(value, str):
        value = str(value)
    return value


def _add_row(data: LabelledData, row: Mapping, where: str, fields: tuple, skip_empty: bool) -> None:
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


def _read_folder(path: Path) -> LabelledData:
    data = LabelledData()
    for folder in sorted(p for p in path.iterdir() if p.is_dir()):
        for file in sorted(folder.rglob("*.txt")):
            text = read_text_file(file, MAX_RECORD_BYTES)
            if not text.strip():
                raise DataError(f"{file}: empty text")
            data.add(text, folder.name, str(file.relative_to(path)), str(file))
    if not data:
        raise DataError(f"{path}: no .txt files in label folders (expected {path}/LABEL/*.txt)")
    return data


def _read_one(path: Path, fields: tuple[str, str, str], skip_empty: bool) -> LabelledData:
    if path.is_dir():
        return _read_folder(path)
    data = LabelledData()
    for where, row in iter_rows(path, text_field=fields[0]):
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
        ``.jsonl``/``.ndjson`` (one object per line; ``.gz``: gzip), ``.csv``/``.tsv``/
        ``.tab`` (a header row; UTF-8, or UTF-16 with a byte-order mark), or a folder
        with one sub-folder of ``.txt`` files per label (VNTC's layout; UTF-8, or
        UTF-8/UTF-16 with a byte-order mark).
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
