"""Helpers shared by the tests: archives to score, reading outputs back, simulated crashes."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import pyarrow.parquet as pq

from newscat.readers.archive import Archive
from newscat.scoring.outputs import ResultFiles

__all__ = [
    "Crash",
    "assert_every_record_once",
    "crash_after",
    "errors_of",
    "input_ids",
    "read_output",
    "write_archive",
]


def write_archive(folder: Path, rows: list[dict]) -> list[Path]:
    """A JSONL file with bad lines and a folder of pages with a bad file: the inputs."""
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = folder / "articles.jsonl"
    lines = [json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False) for row in rows]
    lines[5:5] = ["{not json", '{"id": "no-text", "body": "x"}', '{"id": "blank", "text": "  "}']
    lines.append(json.dumps({"id": "zero-width", "text": "\u200b\u200b"}))
    jsonl.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    pages = folder / "pages"
    pages.mkdir()
    for i, row in enumerate(rows[:12]):
        (pages / f"p{i:02d}.txt").write_text(row["text"], encoding="utf-16")
    (pages / "broken.txt").write_bytes(b"\xc3\x28 not utf-8")
    (pages / "page.html").write_text(
        f"<html><head><title>{rows[0]['text'][:60]}</title></head><body><article>"
        + "".join(f"<p>{line}</p>" for line in rows[0]["text"].split("\n"))
        + "</article></body></html>",
        encoding="utf-8",
    )
    return [jsonl, pages]


def read_output(path: Path) -> list[dict]:
    """The rows of an output of any format, as plain values."""
    name = path.name
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    if name.endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as f:
            return [_from_csv(row) for row in csv.DictReader(f)]
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _from_csv(row: dict) -> dict:
    row = {key: (value if value != "" else None) for key, value in row.items()}
    row["score"] = float(row["score"])
    row["top_k"] = json.loads(row["top_k"])
    row["uncertain"] = {"true": True, "false": False}[row["uncertain"]]
    return row


def errors_of(output: Path) -> list[dict]:
    """The errors file of ``output``, with the archive's folder (in fallback ids) made relative."""
    text = Path(f"{output}.errors.jsonl").read_text(encoding="utf-8")
    return [json.loads(re.sub(r'/[^"]*/archive/', "archive/", line)) for line in text.splitlines()]


def input_ids(inputs) -> list[str]:
    return [record.id for record in Archive(inputs).records(resolve_html=False)]


def assert_every_record_once(inputs, output: Path, errors: Path) -> None:
    written = [row["id"] for row in read_output(output)] + [e["id"] for e in read_output(errors)]
    assert sorted(written) == sorted(input_ids(inputs))


class Crash(KeyboardInterrupt):
    """Stands for the process dying; a BaseException, like the real thing, escapes everything."""


def crash_after(monkeypatch, batches: int, debris=None) -> None:
    """Make the run die while writing batch ``batches + 1``, after ``debris(files)`` ran.

    Checkpoints are taken after every batch, so that the crash point is exact.
    """
    monkeypatch.setattr("newscat.scoring.outputs.CHECKPOINT_SECONDS", 0)
    write = ResultFiles.write
    calls = []

    def dying_write(self, results, *position):
        calls.append(1)
        if len(calls) > batches:
            if debris:
                debris(self)
            raise Crash
        write(self, results, *position)

    monkeypatch.setattr(ResultFiles, "write", dying_write)
