"""Archive scoring benchmark: ``newscat score`` against the plain per-document loop.

Builds a JSONL.gz archive of VNTC test + the baomoi pool (about 195,000 records), scores
it with the shipped default model with 1 and 2 processes, and scores 10,000 records
to show that memory does not grow with the archive. In the same run it times, on a
sample, the loop users write today (``underthesea.word_tokenize`` + ``predict`` per
document) and ``underthesea_core.TextClassifier`` trained on the shipped model's
labelled articles (the anchor: underthesea's own Rust classifier), and reports
newscat's speed per core as a ratio to the plain loop.

    python benchmarks/score.py                        # full archive
    python benchmarks/score.py --records 100000       # the first 100,000 records
    python benchmarks/score.py --profile --records 4000   # seconds per stage per MB

``--profile`` runs the stages of the shipped model one after another on the first
records of the archive, in this process, in the batches ``newscat score`` labels at a
time and without the segmentation cache, and prints the CPU time of each stage (read,
clean, normalise, the segmenter's word list, segment, the TF-IDF token table, TF-IDF,
word vectors, linear model + calibration, domain checks + write) in seconds and seconds
per MB of text.

Each scoring run is a separate ``newscat score`` process; peak memory is the largest
sum of the resident memory of that process and its workers, sampled every 0.1 s
(needs psutil, which the test extra brings with Dask). Times include starting Python,
loading the model and starting the workers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path

import psutil
import scipy.sparse as sp

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCES = (DATA / "vntc" / "test.jsonl.gz", DATA / "pool" / "baomoi_tc201805.jsonl.gz")
LABOR5 = ("train.jsonl", "round2.jsonl", "recent.jsonl")  # what the shipped model learnt


def build_archive(path: Path, limit: int | None) -> tuple[int, int]:
    """Write ``id`` + ``text`` records to ``path``; return (records, text bytes)."""
    records = size = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        rows = (json.loads(line) for src in SOURCES for line in gzip.open(src, "rt"))
        for row in islice(rows, limit):
            out.write(json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False))
            out.write("\n")
            records += 1
            size += len(row["text"].encode())
    return records, size


def _tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            pass
    return total


def run_score(archive: Path, output: Path, jobs: int) -> dict:
    """Run ``newscat score``; return its time and the peak of its processes' summed memory."""
    command = [sys.executable, "-m", "newscat.cli", "score", str(archive), "--output"]
    command += [str(output), "--jobs", str(jobs), "--no-progress"]
    for old in (output, Path(f"{output}.errors.jsonl")):  # from an earlier run in --workdir
        old.unlink(missing_ok=True)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(process))
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    with open(output, encoding="utf-8") as f:
        labelled = sum(1 for _ in f)
    errors_file = Path(f"{output}.errors.jsonl")
    errors = sum(1 for _ in errors_file.open(encoding="utf-8")) if errors_file.exists() else 0
    return {"elapsed": elapsed, "peak_mb": peak / 1e6, "labelled": labelled, "errors": errors}


def _in_fresh_process(function, *args) -> dict:
    """Run ``function(*args)`` in a new process: its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def _timed(predict, texts: list[str]) -> dict:
    start = time.perf_counter()
    for text in texts:
        predict(text)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"elapsed": seconds, "peak_mb": peak_kb * 1024 / 1e6}


def plain_loop(texts: list[str]) -> dict:
    """word_tokenize + predict, one document at a time: what users write today."""
    from underthesea import word_tokenize

    import newscat

    pipeline = newscat.load().pipeline_
    return _timed(lambda text: pipeline.predict([word_tokenize(text, format="text")]), texts)


def anchor_loop(texts: list[str]) -> dict:
    """underthesea_core.TextClassifier (Rust TF-IDF + linear SVM on syllables, as
    underthesea's own classifier is configured) trained on the shipped model's labelled
    articles, one document at a time."""
    from underthesea_core import TextClassifier

    rows = [json.loads(line) for name in LABOR5 for line in (DATA / "labor5" / name).open()]
    classifier = TextClassifier(max_features=20000, ngram_range=(1, 2), c=1.0)
    classifier.fit([row["text"] for row in rows], [row["label"] for row in rows])
    return _timed(classifier.predict, texts)


def profile(archive: Path) -> list[tuple[str, float]]:
    """CPU seconds of each stage of scoring ``archive`` with the shipped model, in order.

    The stages run batch by batch, in batches of the size ``newscat score`` uses and on
    one BLAS thread as it runs; the TF-IDF token table, built once per process, is a
    stage of its own.
    """
    from threadpoolctl import threadpool_limits

    import newscat
    from newscat.classifier.features import repeat_title
    from newscat.scoring.batch import DEFAULT_BATCH_SIZE, SCORING_BLAS_THREADS
    from newscat.segmenters.registry import get_segmenter, segment_texts
    from newscat.text.normalize import normalize_text
    from newscat.text.pages import clean_page

    model = newscat.load()
    joined = model.pipeline_.steps[0][1]  # WithArticleVectors
    tfidf, vectors = joined.tfidf, joined.vectors
    linear = model.pipeline_.named_steps["model"]
    seconds: dict[str, float] = {}

    def stage(name, function, batches):
        """``function`` on each batch; its CPU time (other work on the machine does not
        count) is added to the stage's."""
        results = []
        for batch in batches:
            start = time.process_time()
            results.append(function(batch))
            seconds[name] = seconds.get(name, 0.0) + time.process_time() - start
        return results

    with gzip.open(archive, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    lines = [lines[i : i + DEFAULT_BATCH_SIZE] for i in range(0, len(lines), DEFAULT_BATCH_SIZE)]
    texts = stage("read (JSON decode)", lambda b: [json.loads(line)["text"] for line in b], lines)
    cleaned = stage("clean page", lambda b: [clean_page(t) for t in b], texts)
    normalised = stage(
        "normalise + title",
        lambda b: [repeat_title(normalize_text(t), model.title_weight) for t in b],
        cleaned,
    )
    stage("segmenter's word list (once per process)", get_segmenter, [model.segmenter])
    segmented = stage(
        f"segment ({model.segmenter})",
        lambda b: segment_texts(b, model.segmenter, cache_dir=False, n_jobs=1),
        normalised,
    )
    filled = [[s for s in batch if s] for batch in segmented]
    stage("TF-IDF token table (once per process)", lambda _: tfidf.term_table(), [None])
    X_terms = stage("TF-IDF", tfidf.transform, filled)
    X_vectors = stage("word vectors", vectors.transform, filled)
    X = stage("stack columns", lambda b: sp.hstack(b).tocsr(), zip(X_terms, X_vectors))
    with threadpool_limits(SCORING_BLAS_THREADS, user_api="blas"):
        proba = stage("linear model + neighbour votes + calibration", linear.predict_proba, X)

    def write(batch) -> int:
        predictions = model._predictions(*batch, 3)
        return sum(len(json.dumps(p.to_dict(), ensure_ascii=False)) for p in predictions)

    stage("domain checks + write (JSON encode)", write, zip(proba, filled))
    return list(seconds.items())


def print_profile(times: list[tuple[str, float]], records: int, mb: float) -> None:
    """A table of seconds, seconds per MB and share of each stage."""
    total = sum(seconds for _, seconds in times)
    print(f"\nprofile: {records:,} records, {mb:.2f} MB of text, one process")
    print("\n| stage | CPU s | CPU s/MB | share |")
    print("|---|---|---|---|")
    for name, seconds in times + [("total", total)]:
        print(f"| {name} | {seconds:.2f} | {seconds / mb:.3f} | {seconds / total:.0%} |")
    print(f"\nend to end without start-up: {mb / total:.2f} MB per CPU second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=None, help="limit the archive")
    parser.add_argument("--anchor-docs", type=int, default=500, help="docs for the plain loop")
    parser.add_argument("--workdir", help="keep the archive and outputs here")
    parser.add_argument("--profile", action="store_true", help="time each stage, then stop")
    args = parser.parse_args()

    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "archive.jsonl.gz"
            n, size = build_archive(archive, args.records or 4000)
            print_profile(profile(archive), n, size / 1e6)
        return

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        archive = work / "archive.jsonl.gz"
        n, size = build_archive(archive, args.records)
        small = work / "small.jsonl.gz"
        n_small, small_size = build_archive(small, 10_000)
        mb = size / 1e6
        print(f"archive: {n:,} records, {mb:.1f} MB of text", flush=True)

        runs = {}
        for jobs in (1, 2):
            runs[jobs] = run_score(archive, work / f"out{jobs}.jsonl", jobs)
            print(f"scored with {jobs} process(es): {runs[jobs]}", flush=True)
        flat = run_score(small, work / "out-small.jsonl", 2)

        sample = [
            json.loads(line)["text"]
            for line in islice(gzip.open(archive, "rt"), 0, None, max(1, n // args.anchor_docs))
        ]
        sample = sample[: args.anchor_docs]
        sample_mb = sum(len(t.encode()) for t in sample) / 1e6
        loops = {
            "plain loop: word_tokenize + predict": _in_fresh_process(plain_loop, sample),
            "underthesea_core.TextClassifier, same labels (anchor)": _in_fresh_process(
                anchor_loop, sample
            ),
        }

    print(
        "\n| run | records | labelled + errors | s | records/s | MB/s | MB/s per core "
        "| vs plain loop (per core) | peak MB (all processes) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    plain_mb_s = sample_mb / loops["plain loop: word_tokenize + predict"]["elapsed"]
    rows = [(f"{label}, 1 process", len(sample), sample_mb, 1, r) for label, r in loops.items()]
    rows += [
        ("newscat score --jobs 1", n, mb, 1, runs[1]),
        ("newscat score --jobs 2", n, mb, 2, runs[2]),
        ("newscat score --jobs 2, first 10k records", n_small, small_size / 1e6, 2, flat),
    ]
    for label, count, total_mb, jobs, r in rows:
        per_core = total_mb / r["elapsed"] / jobs
        done = f"{r['labelled'] + r['errors']:,}" if "labelled" in r else "-"
        print(
            f"| {label} | {count:,} | {done} | {r['elapsed']:.1f} | "
            f"{count / r['elapsed']:,.0f} | {total_mb / r['elapsed']:.2f} | {per_core:.2f} | "
            f"{per_core / plain_mb_s:.1f} | {r['peak_mb']:.0f} |"
        )
    print(f"\nscaling 1 -> 2 processes: {runs[1]['elapsed'] / runs[2]['elapsed']:.2f}x")


if __name__ == "__main__":
    main()
