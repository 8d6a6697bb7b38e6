"""Benchmark the word segmenters: speed, and agreement with underthesea's CRF.

Reads ``--docs`` articles (after the first ``--start``) of the VNTC test split and of
labor5 (from the read-only shared data folder), normalises them with
:func:`newscat.text.normalize.normalize_text` and segments every line with each
segmenter's ``segment_line`` (no line cache).
The CRF is slow, so it only segments the first ``--crf-docs`` of these articles of
each corpus; agreement is measured on those.

Columns: throughput in KB (UTF-8) per second of CPU time of this process (so a busy
machine does not skew it; ``--clock wall`` for elapsed time), the speed-up over the
CRF, and precision, recall and F1 of the words (syllable spans) against the CRF's.
This is a benchmark, not a test::

    python benchmarks/segmenters.py --docs 2000 --crf-docs 300
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

from newscat.segmenters.registry import get_segmenter
from newscat.text.normalize import normalize_text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPORA = ("vntc/test.jsonl.gz", "labor5/train.jsonl")


def read_texts(path: Path, start: int, n: int) -> list[str]:
    """The normalised ``text`` of ``n`` JSON lines of ``path``, skipping ``start`` first."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        rows = itertools.islice(f, start, start + n)
        return [normalize_text(json.loads(row)["text"]) for row in rows]


def lines_of(texts: list[str]) -> list[str]:
    return [line.strip() for text in texts for line in text.split("\n") if line.strip()]


def kilobytes(lines: list[str]) -> float:
    return sum(len(line.encode("utf-8")) for line in lines) / 1e3


def timed(segment: Callable[[str], str], lines: list[str], clock) -> tuple[list[str], float]:
    """The segmented lines and the seconds it took."""
    start = clock()
    out = [segment(line) for line in lines]
    return out, clock() - start


def word_spans(segmented: str) -> tuple[set[tuple[int, int]], int]:
    """The (first, last + 1) syllable index of each word of a segmented line, and its length."""
    spans = set()
    start = 0
    for token in segmented.split():
        end = start + max(1, sum(1 for part in token.split("_") if part))
        spans.add((start, end))
        start = end
    return spans, start


def agreement(predicted: list[str], reference: list[str]) -> tuple[float, float, float, int]:
    """Word precision, recall and F1 against ``reference``, and the lines skipped.

    Lines of different lengths in syllables cannot be aligned and are skipped.
    """
    hits = n_pred = n_ref = skipped = 0
    for pred, ref in zip(predicted, reference):
        (pred_spans, pred_len), (ref_spans, ref_len) = word_spans(pred), word_spans(ref)
        if pred_len != ref_len:
            skipped += 1
            continue
        hits += len(pred_spans & ref_spans)
        n_pred += len(pred_spans)
        n_ref += len(ref_spans)
    precision, recall = hits / n_pred, hits / n_ref
    return precision, recall, 2 * precision * recall / (precision + recall), skipped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="articles per corpus (speed)")
    parser.add_argument(
        "--crf-docs", type=int, default=300, help="articles per corpus for the CRF (speed, F1)"
    )
    parser.add_argument("--start", type=int, default=0, help="articles to skip per corpus")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the best one counts")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    args = parser.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    texts, crf_texts = [], []
    for corpus in CORPORA:
        docs = read_texts(args.data / corpus, args.start, max(args.docs, args.crf_docs))
        texts += docs[: args.docs]
        crf_texts += docs[: args.crf_docs]
    lines, crf_lines = lines_of(texts), lines_of(crf_texts)

    crf = get_segmenter("underthesea")
    crf.segment_line("Khởi động mô hình.")  # load the model outside the timing
    reference, seconds = timed(crf.segment_line, crf_lines, clock)
    crf_speed = kilobytes(crf_lines) / seconds
    rows = [("underthesea", len(crf_texts), kilobytes(crf_lines), crf_speed, reference)]
    dictionary = get_segmenter("dictionary")
    candidates = {
        "dictionary": dictionary.segment_line,  # compiled where built
        "dict. (Py)": dictionary._segment_line_python,  # the fallback where it is not
        "syllable": get_segmenter("syllable").segment_line,
    }
    for name, segment in candidates.items():
        seconds = min(timed(segment, lines, clock)[1] for _ in range(args.repeat))
        segmented = [segment(line) for line in crf_lines]
        rows.append((name, len(texts), kilobytes(lines), kilobytes(lines) / seconds, segmented))

    header = f"{'segmenter':<12} {'docs':>5} {'MB':>5} {'KB/s':>7} {'x CRF':>6} "
    print(header + f"{'precision':>9} {'recall':>6} {'word F1':>7}")
    skipped_lines = {}
    for name, n_docs, size, speed, segmented in rows:
        precision, recall, f1, skipped_lines[name] = agreement(segmented, reference)
        print(
            f"{name:<12} {n_docs:>5} {size / 1e3:>5.2f} {speed:>7.0f} {speed / crf_speed:>6.1f} "
            f"{precision:>9.4f} {recall:>6.4f} {f1:>7.4f}"
        )
    print(
        f"\nagreement on {len(crf_lines)} lines ({kilobytes(crf_lines) / 1e3:.2f} MB) of "
        f"{args.crf_docs} articles per corpus from article {args.start}; "
        f"lines skipped as unaligned: {skipped_lines}; clock: {args.clock}"
    )


if __name__ == "__main__":
    main()
