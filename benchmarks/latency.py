"""Latency of labelling one ~5 KB article with the shipped model: cold start and warm.

Cold: a fresh Python process imports newscat, loads the default model and labels the
article (what ``newscat classify`` costs). Warm: the same call again in a running
process, on 50 different articles. Articles are built from labor5 texts (about 5 KB
of UTF-8 each).

    python benchmarks/latency.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

LABOR5 = Path(__file__).resolve().parents[2] / "shared" / "data" / "labor5" / "train.jsonl"

_COLD = """
import sys, time
start = time.perf_counter()
import newscat
newscat.classify(sys.stdin.read())
print(time.perf_counter() - start)
"""


def article(start: int = 0, size: int = 5000) -> str:
    """Concatenate labor5 texts, from the ``start``-th on, up to ``size`` bytes."""
    parts, total = [], 0
    with LABOR5.open(encoding="utf-8") as f:
        for line in list(f)[start:]:
            text = json.loads(line)["text"]
            parts.append(text)
            total += len(text.encode()) + 1
            if total >= size:
                break
    return "\n".join(parts)


def main() -> None:
    text = article()
    cold = [
        float(
            subprocess.run(
                [sys.executable, "-c", _COLD],
                input=text,
                text=True,
                capture_output=True,
                check=True,
            ).stdout
        )
        for _ in range(3)
    ]
    import newscat

    newscat.classify(text)
    warm = []
    for i in range(1, 51):  # a different article each time: no line is seen twice
        other = article(start=20 * i)
        start = time.perf_counter()
        newscat.classify(other)
        warm.append(time.perf_counter() - start)
    print(f"article: {len(text.encode()):,} bytes")
    print("| measure | median ms | min ms |")
    print("|---|---|---|")
    print(
        f"| cold start (import + load + classify) | {1000 * statistics.median(cold):.0f} "
        f"| {1000 * min(cold):.0f} |"
    )
    print(f"| warm classify | {1000 * statistics.median(warm):.1f} | {1000 * min(warm):.1f} |")


if __name__ == "__main__":
    main()
