"""Latency of labelling one ~5 KB article with the shipped model: cold start and warm.

Cold: a fresh Python process imports newscat, loads the default model and labels the
article (what ``newscat classify`` costs). Warm: the same call again in a running
process, on 50 different articles. Warm, steady state: the same 50 articles in another
process whose TF-IDF step has built its token table first, as a running service has once
it has labelled :data:`~newscat.classifier.tfidf.TABLE_AFTER_TEXTS` articles. Each
process starts with an empty segmentation cache. Articles are built from labor5 texts
(about 5 KB of UTF-8 each).

    python benchmarks/latency.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
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


def warm_times(steady: bool) -> list[float]:
    """Seconds per ``newscat.classify`` call on 50 different articles (no line is seen
    twice), after one first call; with ``steady``, the token table is built first."""
    import newscat

    model = newscat.load()
    model.classify(article())
    if steady:
        model.tfidf_.term_table()
    times = []
    for i in range(1, 51):
        other = article(start=20 * i)
        start = time.perf_counter()
        model.classify(other)
        times.append(time.perf_counter() - start)
    return times


def _in_subprocess(code: str, text: str = "") -> str:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NEWSCAT_CACHE_DIR": cache}
        done = subprocess.run(
            [sys.executable, "-c", code], input=text, text=True, capture_output=True, env=env
        )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return done.stdout


def _row(name: str, times: list[float], digits: int) -> str:
    median, low = 1000 * statistics.median(times), 1000 * min(times)
    return f"| {name} | {median:.{digits}f} | {low:.{digits}f} |"


def main() -> None:
    text = article()
    cold = [float(_in_subprocess(_COLD, text)) for _ in range(3)]
    here = Path(__file__).resolve().parent
    warm = {
        steady: json.loads(
            _in_subprocess(
                f"import json, sys; sys.path.insert(0, {str(here)!r}); from latency import "
                f"warm_times; print(json.dumps(warm_times({steady})))"
            )
        )
        for steady in (False, True)
    }
    print(f"article: {len(text.encode()):,} bytes")
    print("| measure | median ms | min ms |")
    print("|---|---|---|")
    print(_row("cold start (import + load + classify)", cold, 0))
    print(_row("warm classify", warm[False], 1))
    print(_row("warm classify, steady state (token table built)", warm[True], 1))


if __name__ == "__main__":
    main()
