"""VNTC benchmark: newscat against underthesea's own classifier, in one run.

Trains on the full VNTC train split and evaluates on the full test split and on the
test split without the texts that also occur in train. Each system is trained in a
fresh process so that its peak memory is its own.

    python benchmarks/vntc.py                    # default + alternatives + anchor
    python benchmarks/vntc.py --skip-cold        # reuse the segmentation cache only

The systems with word vectors use those of the shipped recipe (``data/labor5.json``),
learnt from its unlabelled pools (2017-18 and 2025-26 news), not from VNTC; learning
them is not counted in the fit time.

Columns: accuracy and macro-F1 on the standard test split (and deduplicated), fit time
with a cold segmentation cache (empty, a fresh folder) and a warm one, prediction
throughput on raw test texts (segmentation included, no cache, one process), model
size on disk and peak resident memory of the process that trains and evaluates (segmenting
worker processes, used only with a cold cache, are not counted).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vntc"
RECIPE = Path(__file__).resolve().parents[1] / "data" / "labor5.json"
# Stands for the word vectors of the shipped recipe (learnt from its pools, not from VNTC).
RECIPE_VECTORS = "the shipped recipe's word vectors"

SYSTEMS = {
    "newscat default (underthesea)": {},
    "newscat dictionary segmenter": {"segmenter": "dictionary"},
    "newscat syllable segmenter": {"segmenter": "syllable"},
    "newscat logreg (underthesea)": {"classifier": "logreg", "C": 20.0},
    "newscat words + syllables (underthesea)": {"syllable_features": True, "C": 2.0},
    "newscat words + syllables (dictionary)": {
        "segmenter": "dictionary",
        "syllable_features": True,
        "C": 2.0,
    },
    "newscat NBSVM, words + syllables (dictionary)": {
        "segmenter": "dictionary",
        "syllable_features": True,
        "C": 2.0,
        "classifier": "nbsvm",
    },
    "newscat NBSVM + word vectors (dictionary)": {
        "segmenter": "dictionary",
        "syllable_features": True,
        "C": 2.0,
        "classifier": "nbsvm",
        "word_vectors": RECIPE_VECTORS,
    },
    "newscat NBSVM + word vectors + neighbour votes (dictionary)": {
        "segmenter": "dictionary",
        "syllable_features": True,
        "C": 2.0,
        "classifier": "nbsvm",
        "word_vectors": RECIPE_VECTORS,
        "neighbours": 5,
        "neighbour_weight": 0.5,
    },
}


def _read(split: str):
    from newscat.readers.labelled import read_labelled

    return read_labelled(DATA / f"{split}.jsonl.gz")


def _dedup_mask(train_texts, test_texts) -> list[bool]:
    seen = set(train_texts)
    return [text not in seen for text in test_texts]


def _metrics(y_true, y_pred, keep=None) -> tuple[float, float]:
    from newscat.training.evaluation import compute_metrics

    if keep is not None:
        y_true = [y for y, k in zip(y_true, keep) if k]
        y_pred = [y for y, k in zip(y_pred, keep) if k]
    m = compute_metrics(y_true, y_pred)
    return m["accuracy"], m["macro_f1"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _recipe_vectors():
    from newscat.training.train import load_recipe, pool_word_vectors

    recipe = load_recipe(RECIPE)
    return pool_word_vectors(recipe.word_vectors, recipe.params["segmenter"])


def run_newscat(params: dict, cold_cache: str | None, n_predict: int, jobs: int) -> dict:
    """Train and measure one newscat configuration (runs in its own process)."""
    from newscat import NewsClassifier, load_model, save_model
    from newscat.runtime import use

    train, test = _read("train"), _read("test")
    result = {}
    if params.get("word_vectors") == RECIPE_VECTORS:  # learnt before the clock starts
        params = {**params, "word_vectors": _recipe_vectors()}
    if cold_cache:
        start = time.perf_counter()
        with use(cache_dir=cold_cache, n_jobs=jobs):
            NewsClassifier(**params).fit(train.texts, train.labels)
        result["fit_cold_s"] = time.perf_counter() - start
    start = time.perf_counter()
    with use(n_jobs=jobs):
        model = NewsClassifier(**params).fit(train.texts, train.labels)
    result["fit_warm_s"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_model(model, Path(tmp) / "model")
        result["size_mb"] = _folder_mb(folder)
        model = load_model(folder)
    with use(n_jobs=jobs):
        predicted = list(model.predict(test.texts))
    keep = _dedup_mask(train.texts, test.texts)
    result["acc"], result["macro_f1"] = _metrics(test.labels, predicted)
    result["acc_dedup"], result["macro_f1_dedup"] = _metrics(test.labels, predicted, keep)
    result["n_test"], result["n_dedup"] = len(test), sum(keep)
    sample = test.texts[:n_predict]
    start = time.perf_counter()
    model.predict(sample)
    result["docs_per_s"] = len(sample) / (time.perf_counter() - start)
    result["peak_mb"] = _peak_mb()
    return result


def run_anchor(n_predict: int) -> dict:
    """underthesea_core.TextClassifier as underthesea's shipped classifier is configured."""
    from underthesea_core import TextClassifier

    train, test = _read("train"), _read("test")
    start = time.perf_counter()
    clf = TextClassifier(max_features=20000, ngram_range=(1, 2), c=1.0)
    clf.fit(train.texts, train.labels)
    fit = time.perf_counter() - start
    predicted = list(clf.predict_batch(test.texts))
    keep = _dedup_mask(train.texts, test.texts)
    result = {"fit_cold_s": fit, "fit_warm_s": fit}
    result["acc"], result["macro_f1"] = _metrics(test.labels, predicted)
    result["acc_dedup"], result["macro_f1_dedup"] = _metrics(test.labels, predicted, keep)
    result["n_test"], result["n_dedup"] = len(test), sum(keep)
    with tempfile.TemporaryDirectory() as tmp:
        clf.save(str(Path(tmp) / "model.bin"))
        result["size_mb"] = _folder_mb(Path(tmp))
    sample = test.texts[:n_predict]
    start = time.perf_counter()
    for text in sample:
        clf.predict(text)
    result["docs_per_s"] = len(sample) / (time.perf_counter() - start)
    result["peak_mb"] = _peak_mb()
    return result


def _in_fresh_process(fn, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def _row(name: str, r: dict, anchor: dict) -> str:
    cold = f"{r['fit_cold_s']:.0f}" if "fit_cold_s" in r else "-"
    return (
        f"| {name} | {100 * r['acc']:.2f} | {100 * r['macro_f1']:.2f} | "
        f"{100 * r['acc_dedup']:.2f} | {100 * r['macro_f1_dedup']:.2f} | "
        f"{100 * (r['acc'] - anchor['acc']):+.2f} | {cold} | {r['fit_warm_s']:.0f} | "
        f"{r['docs_per_s']:.0f} | {r['size_mb']:.1f} | {r['peak_mb'] / 1024:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--skip-cold", action="store_true", help="do not time a cold cache")
    parser.add_argument("--predict-docs", type=int, default=1000, help="docs timed for predict")
    parser.add_argument("--jobs", type=int, default=2, help="segmenting processes when fitting")
    parser.add_argument("--json", help="also write the raw figures to this file")
    args = parser.parse_args()

    results = {
        "underthesea_core.TextClassifier (anchor)": _in_fresh_process(run_anchor, args.predict_docs)
    }
    for name in args.systems:
        with tempfile.TemporaryDirectory() as cold:
            results[name] = _in_fresh_process(
                run_newscat,
                SYSTEMS[name],
                None if args.skip_cold else cold,
                args.predict_docs,
                args.jobs,
            )
        print(f"done: {name}", flush=True)
    anchor = results["underthesea_core.TextClassifier (anchor)"]
    first = next(iter(results.values()))
    print(f"\nVNTC: test {first['n_test']} docs, deduplicated test {first['n_dedup']} docs\n")
    print(
        "| system | acc % | macro-F1 % | acc dedup % | macro-F1 dedup % | acc vs anchor | "
        "fit cold s | fit warm s | predict docs/s | size MB | peak GB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(_row(name, r, anchor))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
