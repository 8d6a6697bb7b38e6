"""labor5 cross-validation: the shipped recipe against its ablations, over several seeds.

Each variant is the recipe ``data/labor5.json`` with one setting changed; every one is
measured by 5-fold stratified cross-validation on ``shared/data/labor5/train.jsonl``
with the same seeds, so the differences are not the luck of one split. The first row
with seed 0 is what the model card reports.

    python benchmarks/labor5_cv.py                  # seeds 0 1 2
    python benchmarks/labor5_cv.py --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from newscat.readers import read_labelled
from newscat.training import cross_validate, load_recipe

RECIPE = Path(__file__).resolve().parents[1] / "data" / "labor5.json"

VARIANTS = {
    "shipped recipe": {},
    "no syllable features": {"syllable_features": False},
    "no headline weight": {"title_weight": 0},
    "words only, no headline weight, C=1 (the first shipped model)": {
        "syllable_features": False,
        "title_weight": 0,
        "C": 1.0,
    },
    "syllable segmenter, no headline weight, C=1 (the issue's plain baseline)": {
        "segmenter": "syllable",
        "syllable_features": False,
        "title_weight": 0,
        "C": 1.0,
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    recipe = load_recipe(RECIPE)
    data = read_labelled(recipe.data[0]["path"])
    rows = []
    for name, change in VARIANTS.items():
        start = time.perf_counter()
        model = recipe.model(**change)
        runs = [cross_validate(model, data, folds=5, seed=seed) for seed in args.seeds]
        f1 = [run["macro_f1"] for run in runs]
        per_class = {
            label: statistics.mean(run["per_class"][label]["f1"] for run in runs)
            for label in sorted(runs[0]["per_class"])
        }
        rows.append((name, f1, statistics.mean(r["accuracy"] for r in runs), per_class))
        print(f"done: {name} ({time.perf_counter() - start:.0f} s)", flush=True)
    labels = list(rows[0][3])
    print(f"\nlabor5: {len(data)} articles, 5-fold CV, seeds {' '.join(map(str, args.seeds))}\n")
    seeds = " | ".join(f"macro-F1 seed {seed}" for seed in args.seeds)
    print(f"| variant | {seeds} | macro-F1 mean | accuracy mean | " + " | ".join(labels) + " |")
    print("|---" * (len(args.seeds) + 3 + len(labels)) + "|")
    for name, f1, accuracy, per_class in rows:
        cells = [f"{x:.4f}" for x in f1] + [f"{statistics.mean(f1):.4f}", f"{accuracy:.4f}"]
        cells += [f"{per_class[label]:.3f}" for label in labels]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
