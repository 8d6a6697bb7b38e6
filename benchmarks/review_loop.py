"""The labelling loop on recent articles: review, label, retrain; against labelling at random.

A model is trained on the 2005-21 articles of labor5 (``train.jsonl``, ``round2.jsonl``)
with the shipped recipe's settings, without word vectors (so that a run takes minutes).
The 2025-26 articles (``recent.jsonl``) are split in two halves at random (fixed seed):
one plays the newsroom's archive, the other is held out. ``newscat review`` picks N
articles of the archive with the model; their labels stand for a person's; the model
is retrained with them. For comparison it is also retrained with N archive articles
picked at random (several seeds) and with the whole archive half. Macro-F1 and
accuracy on the held-out half are reported for each.

    python benchmarks/review_loop.py --n 300
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from newscat import NewsClassifier
from newscat.training import load_recipe
from newscat.training.evaluation import compute_metrics
from newscat.training.review import pick_for_review

ROOT = Path(__file__).resolve().parents[1]
LABOR5 = ROOT.parent / "shared" / "data" / "labor5"


def read(name: str) -> list[dict]:
    with open(LABOR5 / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def fit(params: dict, rows: list[dict]) -> NewsClassifier:
    model = NewsClassifier(**params)
    return model.fit([r["text"] for r in rows], [r["label"] for r in rows])


def measure(model: NewsClassifier, rows: list[dict]) -> dict:
    metrics = compute_metrics([r["label"] for r in rows], model.predict([r["text"] for r in rows]))
    return {"macro_f1": round(metrics["macro_f1"], 4), "accuracy": round(metrics["accuracy"], 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="articles labelled (default 300)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="random picks")
    args = parser.parse_args()

    params = dict(load_recipe(ROOT / "data" / "labor5.json").params)
    params["ngram_range"] = tuple(params["ngram_range"])
    old = read("train.jsonl") + read("round2.jsonl")
    recent = read("recent.jsonl")
    random.Random(0).shuffle(recent)
    archive, held_out = recent[: len(recent) // 2], recent[len(recent) // 2 :]
    by_id = {r["id"]: r for r in archive}

    start = time.perf_counter()
    base = fit(params, old)
    results = {"2005-21 only": measure(base, held_out)}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "archive.jsonl"
        path.write_text(
            "".join(
                json.dumps({"id": r["id"], "text": r["text"], "source": r.get("source")}) + "\n"
                for r in archive
            ),
            encoding="utf-8",
        )
        summary = pick_for_review([path], Path(scratch) / "to_label.jsonl", model=base, n=args.n)
    picked = [by_id[row["id"]] for row in summary.picked]
    results[f"+ {args.n} picked by review"] = measure(fit(params, old + picked), held_out)
    for seed in args.seeds:
        sample = random.Random(seed).sample(archive, args.n)
        model = fit(params, old + sample)
        results[f"+ {args.n} at random (seed {seed})"] = measure(model, held_out)
    results[f"+ all {len(archive)} of the archive half"] = measure(
        fit(params, old + archive), held_out
    )
    print(f"held out: {len(held_out)} articles of 2025-26; archive half: {len(archive)}")
    print(f"{'training data':<40} macro-F1  accuracy")
    for name, m in results.items():
        print(f"{name:<40} {m['macro_f1']:.4f}    {m['accuracy']:.4f}")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
