"""Pick the articles of an archive that a person should label next.

``newscat review ARCHIVE... --output to_label.jsonl --n 300`` scores every record with
a model and writes the ``n`` whose labels would teach it most:

1. the ones the model flags as uncertain come first, then the rest; within each,
   the smallest margin between the two best scores, then the lowest top score;
2. picks are spread over the predicted topics and the sources (a row's ``source``
   field, else the folder below a folder input, else the input itself): each pick
   goes to the topic, then the source, picked least so far;
3. near-duplicates are left out: an article sharing most of its character 5-grams
   with one already picked (cosine of the binary 5-gram sets at least
   :data:`NEAR_DUPLICATE`), and any id already picked or listed in ``--exclude``
   files (earlier rounds).

Each output line holds ``id``, ``text``, ``predicted`` (the model's label),
``score``, ``scores`` (every label's), ``uncertain``, ``reason``, ``source`` and an
empty ``label`` for the person to fill; ``python train.py --add`` reads it back.
Records that cannot be read or scored go to ``OUTPUT.errors.jsonl`` with the reason.
"""

from __future__ import annotations

import heapq
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import count, islice
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from ..classifier.estimator import NewsClassifier
from ..errors import DataError
from ..readers.archive import Archive, Record, iter_rows
from ..scoring.batch import score_records
from ..scoring.progress import ProgressBar
from ..text.normalize import normalize_text

__all__ = ["NEAR_DUPLICATE", "ReviewSummary", "pick_for_review"]

NEAR_DUPLICATE = 0.8
_BATCH = 500


@dataclass(order=True)
class _Candidate:
    """A scored record; candidates sort by how much a label would teach the model."""

    key: tuple
    seq: int
    row: dict = field(compare=False)


def _key(result: dict) -> tuple:
    """Flagged first, then the smallest margin, then the lowest top score.

    Examples
    --------
    >>> flagged = {"uncertain": True, "top_k": [{"score": 0.6}, {"score": 0.3}]}
    >>> sure = {"uncertain": False, "top_k": [{"score": 0.9}, {"score": 0.05}]}
    >>> _key(flagged) < _key(sure)
    True
    """
    scores = [entry["score"] for entry in result["top_k"]] + [0.0, 0.0]
    return (not result["uncertain"], round(scores[0] - scores[1], 4), scores[0])


def _source(record: Record, input_label: str, folder: bool) -> str:
    if record.source:
        return record.source
    if folder and "/" in record.id:
        return f"{input_label}/{record.id.split('/', 1)[0]}"
    return input_label


def _fingerprints(texts: Sequence[str]):
    """Unit-length binary rows of each text's character 5-grams (lowercased, NFC)."""
    vectorizer = HashingVectorizer(
        analyzer="char_wb", ngram_range=(5, 5), binary=True, alternate_sign=False, n_features=2**20
    )
    return vectorizer.transform([" ".join(normalize_text(t).lower().split()) for t in texts])


def _spread(candidates: list[_Candidate], n: int) -> tuple[list[dict], int]:
    """Pick up to ``n`` candidates, spread over topics and sources, without near-duplicates.

    Returns the picks in order and how many candidates were left out as near-duplicates.
    """
    rows = [c.row for c in sorted(candidates)]
    if not rows:
        return [], 0
    size = len(rows)
    tier = np.array([0 if row["uncertain"] else 1 for row in rows], dtype=np.int64)
    topics = {label: i for i, label in enumerate(sorted({row["predicted"] for row in rows}))}
    sources = {source: i for i, source in enumerate(sorted({row["source"] for row in rows}))}
    topic = np.array([topics[row["predicted"]] for row in rows])
    source = np.array([sources[row["source"]] for row in rows])
    topic_picks = np.zeros(len(topics), dtype=np.int64)
    source_picks = np.zeros(len(sources), dtype=np.int64)
    open_ = np.ones(size, dtype=bool)
    prints = _fingerprints([row["text"] for row in rows])
    picked, duplicates = [], 0
    while len(picked) < n and open_.any():
        # the best tier, then the topic and the source picked least so far, then the rank
        best = open_ & (tier == tier[open_].min())
        for picks in (topic_picks[topic], source_picks[source]):
            best &= picks == picks[best].min()
        i = int(np.argmax(best))  # rows are in rank order
        picked.append(rows[i])
        topic_picks[topic[i]] += 1
        source_picks[source[i]] += 1
        similar = (prints @ prints[i].T).toarray().ravel() >= NEAR_DUPLICATE
        similar[i] = True  # also a text too short to have 5-grams
        duplicates += int((similar & open_).sum()) - 1
        open_ &= ~similar
    return picked, duplicates


@dataclass
class ReviewSummary:
    """What a review run read and wrote."""

    output: str
    read: int = 0
    scored: int = 0
    flagged: int = 0
    errors: int = 0
    errors_file: str | None = None
    excluded: int = 0
    repeated_ids: int = 0
    near_duplicates: int = 0
    picked: list[dict] = field(default_factory=list)

    def __str__(self) -> str:
        flagged = sum(row["uncertain"] for row in self.picked)
        topics = Counter(row["predicted"] for row in self.picked)
        lines = [
            f"read {self.read} records: {self.scored} scored ({self.flagged} flagged uncertain), "
            f"{self.errors} could not be scored"
            + (f" (see {self.errors_file})" if self.errors_file else ""),
            f"left out: {self.excluded} in --exclude files, {self.repeated_ids} repeated ids, "
            f"{self.near_duplicates} near-duplicates",
            f"wrote {len(self.picked)} articles to {self.output} ({flagged} flagged uncertain); "
            "by predicted label: " + ", ".join(f"{k} {v}" for k, v in sorted(topics.items())),
            "fill in each 'label', then: python train.py --recipe RECIPE --add "
            f"{self.output} --output models/mine",
        ]
        return "\n".join(lines)


def _excluded_ids(paths: Iterable[str | os.PathLike]) -> set[str]:
    """The ids of earlier rounds' files (their ``id`` field)."""
    ids = set()
    for path in paths:
        for where, row in iter_rows(path):
            if row.get("id") is None:
                raise DataError(f"{where}: no 'id' field; --exclude takes files written by review")
            ids.add(str(row["id"]))
    return ids


def _write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Write ``rows`` to ``path`` through a temporary file, so that it appears whole."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(partial, path)


def _check_output(path: Path, errors: Path, inputs: Sequence[str], overwrite: bool) -> None:
    for target in (path, errors):
        if any(Path(source).resolve() == target.resolve() for source in inputs):
            raise DataError(f"{target} is also an input; choose another --output")
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target} already exists; pass --overwrite to replace it")


def pick_for_review(
    inputs: Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    model: NewsClassifier,
    n: int = 300,
    exclude: Sequence[str | os.PathLike] = (),
    text_field: str = "text",
    id_field: str = "id",
    clean: bool | None = None,
    overwrite: bool = False,
    progress: bool = False,
) -> ReviewSummary:
    """Score the archive ``inputs`` with ``model`` and write the ``n`` articles to label next.

    See the module docstring for how they are picked. An existing ``output`` is
    replaced only with ``overwrite``. Returns what was read, left out and written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> rows = ['{"id": "a", "text": "mưa bão"}', '{"id": "b", "text": "trộm mưa"}']
    >>> _ = (folder / "archive.jsonl").write_text("\\n".join(rows), encoding="utf-8")
    >>> summary = pick_for_review([folder / "archive.jsonl"], folder / "out.jsonl", model=clf, n=1)
    >>> [(row["id"], row["label"]) for row in summary.picked]  # the harder one
    [('b', '')]
    """
    output = Path(output)
    errors_path = output.with_name(output.name + ".errors.jsonl")
    _check_output(output, errors_path, [os.fspath(p) for p in inputs], overwrite)
    fields = {"text_field": text_field, "id_field": id_field}
    archive = Archive(inputs, **fields)  # checks every input before reading any
    skip = _excluded_ids(exclude)
    summary = ReviewSummary(str(output))
    per_topic: dict[str, list[_Candidate]] = {}
    seen: set[str] = set()
    errors: list[dict] = []
    order = count()
    bar = ProgressBar(archive, 0, progress)
    try:
        for path in inputs:
            folder, label = Path(path).is_dir(), os.fspath(path)
            records = Archive([path], **fields).records()
            while batch := list(islice(records, _BATCH)):
                results = score_records(model, batch, top_k=len(model.classes_), clean=clean)
                for record, result in zip(batch, results):
                    if result["error"] is not None:
                        errors.append({"id": record.id, "error": result["error"]})
                        continue
                    summary.scored += 1
                    summary.flagged += result["uncertain"]
                    if record.id in skip:
                        summary.excluded += 1
                        continue
                    if record.id in seen:
                        summary.repeated_ids += 1
                        continue
                    seen.add(record.id)
                    row = {
                        "id": record.id,
                        "text": record.text,
                        "predicted": result["label"],
                        "score": result["score"],
                        "scores": {e["label"]: e["score"] for e in result["top_k"]},
                        "uncertain": result["uncertain"],
                        "reason": result["reason"],
                        "source": _source(record, label, folder),
                        "label": "",
                    }
                    heap = per_topic.setdefault(result["label"], [])
                    # keep the 2n most useful of each topic: room to spread and drop duplicates
                    candidate = _Candidate(tuple(-x for x in _key(result)), -next(order), row)
                    if len(heap) < 2 * n:
                        heapq.heappush(heap, candidate)
                    else:
                        heapq.heappushpop(heap, candidate)
                summary.read += len(batch)
                bar.update(len(batch), len(errors))
    finally:
        bar.close()
    summary.errors = len(errors)
    candidates = [
        _Candidate(tuple(-x for x in c.key), -c.seq, c.row)
        for heap in per_topic.values()
        for c in heap
    ]
    summary.picked, summary.near_duplicates = _spread(candidates, n)
    _write_jsonl(output, summary.picked)
    if errors:
        _write_jsonl(errors_path, errors)
        summary.errors_file = str(errors_path)
    elif errors_path.exists():  # from an earlier run, replaced with --overwrite
        errors_path.unlink()
    return summary
