"""How often the out-of-domain rule flags real articles, and what it flags.

The shipped model labels each corpus; the table gives, per corpus, the share of
texts flagged "not Vietnamese text" or "few known terms" (see newscat.classifier.domain),
the lowest percentiles of both measures, and the cost of computing them. With
``--show`` the flagged texts are printed (their first 100 characters).

    python benchmarks/out_of_domain.py                  # 3,000 texts of the big corpora
    python benchmarks/out_of_domain.py --sample 0 --show
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from pathlib import Path

import numpy as np

import newscat
from newscat.classifier.domain import (
    MIN_KNOWN_SHARE,
    MIN_VIETNAMESE_SHARE,
    SAMPLE_CHARS,
    known_share,
    vietnamese_share,
)
from newscat.classifier.features import SYLLABLE_MARK

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPORA = [
    "labor5/train.jsonl",
    "labor5/round2.jsonl",
    "labor5/recent.jsonl",
    "vntc/train.jsonl.gz",
    "vntc/test.jsonl.gz",
    "pool/crawl_2026.jsonl.gz",
    "pool/rss_2025_26.jsonl.gz",
    "pool/dantri_unc.jsonl.gz",
    "pool/baomoi_tc201805.jsonl.gz",
]


def read_texts(path: Path, sample: int, seed: int = 0) -> list[str]:
    """The ``text`` field of every record, or of ``sample`` records drawn with ``seed``."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    if sample and len(texts) > sample:
        texts = random.Random(seed).sample(texts, sample)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=3000, help="texts per corpus (0: all)")
    parser.add_argument("--show", action="store_true", help="print the flagged texts")
    args = parser.parse_args()
    model = newscat.load()
    vocabulary = model.tfidf_.vocabulary_
    mark = SYLLABLE_MARK if model.syllable_features else None
    print(f"flagged: Vietnamese share < {MIN_VIETNAMESE_SHARE} or known < {MIN_KNOWN_SHARE}")
    print("| corpus | texts | flagged | Vietnamese share p0.5 | known share p0.5 | ms / text |")
    print("|---|---|---|---|---|---|")
    totals = [0, 0]
    for name in CORPORA:
        texts = read_texts(DATA / name, args.sample)
        segmented = [text[:SAMPLE_CHARS] for text in model._clean_normalise_segment(texts, None)]
        start = time.perf_counter()
        letters = np.array([vietnamese_share(text) for text in segmented])
        known = np.array([known_share(text, vocabulary, mark) for text in segmented])
        seconds = time.perf_counter() - start
        flagged = (letters < MIN_VIETNAMESE_SHARE) | (known < MIN_KNOWN_SHARE)
        totals[0] += int(flagged.sum())
        totals[1] += len(texts)
        print(
            f"| {name} | {len(texts):,} | {100 * flagged.mean():.2f} % "
            f"| {np.quantile(letters, 0.005):.3f} | {np.quantile(known, 0.005):.3f} "
            f"| {1000 * seconds / len(texts):.2f} |"
        )
        if args.show:
            for i in np.flatnonzero(flagged):
                print(f"    {letters[i]:.2f} {known[i]:.2f} {texts[i][:100]!r}")
    print(f"all: {totals[0]:,} of {totals[1]:,} flagged ({100 * totals[0] / totals[1]:.2f} %)")


if __name__ == "__main__":
    main()
