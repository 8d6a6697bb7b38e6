"""labor5 cross-validation: the shipped recipe and its ablations, overall and per slice.

Each variant is the recipe ``data/labor5.json`` with one setting changed, measured by
5-fold stratified cross-validation on all its labelled files (seed 0 unless told),
out-of-fold. Besides the whole set, every variant is reported on the slices of
:func:`newscat.training.train.data_slices`: era (2005-21 / 2025-26), length (up to 300
characters / longer) and how articles were picked (at random / otherwise), with the
F1 of each label on the 2025-26 slice. The word vectors are learnt once from the
recipe's pools and shared by the variants that use them.

    python benchmarks/labor5_cv.py                       # the shipped recipe
    python benchmarks/labor5_cv.py --variants all        # and every ablation (long)
    python benchmarks/labor5_cv.py --variants "plain recipe" --seeds 0 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newscat.readers.labelled import LabelledData
from newscat.training.train import (
    cross_validate,
    data_slices,
    load_recipe,
    pool_word_vectors,
    read_recipe_data,
)

RECIPE = Path(__file__).resolve().parents[1] / "data" / "labor5.json"

# name: (parameter changes, uses the word vectors)
VARIANTS = {
    "shipped recipe": ({}, True),
    "no neighbour votes": ({"neighbours": 0}, True),
    "LinearSVC instead of NBSVM": ({"classifier": "linearsvc"}, True),
    "no word vectors (nor neighbour votes)": ({"neighbours": 0}, False),
    "plain recipe (LinearSVC, no word vectors, min_df 1)": (
        {"classifier": "linearsvc", "min_df": 1, "neighbours": 0},
        False,
    ),
}
RECENT = "era 2025-26"
RANDOM_RECENT = "era 2025-26, picked at random"


def run(recipe, data: LabelledData, change: dict, vectors, seed: int) -> dict:
    """Cross-validation metrics of the recipe's model with ``change`` applied."""
    model = recipe.model(**change, word_vectors=vectors)
    return cross_validate(model, data, folds=5, seed=seed, slices=data_slices(recipe, data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--variants", nargs="+", default=["shipped recipe"], help=f"'all' or of {list(VARIANTS)}"
    )
    args = parser.parse_args()
    names = list(VARIANTS) if args.variants == ["all"] else args.variants
    recipe = load_recipe(RECIPE)
    data = read_recipe_data(recipe)
    vectors = None
    if any(VARIANTS[name][1] for name in names):
        start = time.perf_counter()
        vectors = pool_word_vectors(recipe.word_vectors, recipe.params["segmenter"])
        print(f"word vectors: {vectors} ({time.perf_counter() - start:.0f} s)", flush=True)
    rows = []
    for name in names:
        change, uses_vectors = VARIANTS[name]
        for seed in args.seeds:
            start = time.perf_counter()
            metrics = run(recipe, data, change, vectors if uses_vectors else None, seed)
            rows.append((name, seed, metrics))
            print(f"done: {name}, seed {seed} ({time.perf_counter() - start:.0f} s)", flush=True)
    labels = rows[0][2]["labels"]
    print(f"\nlabor5: {len(data)} articles, 5-fold stratified CV, out-of-fold\n")
    header = ["variant", "seed", "all", "2005-21", "2025-26", "<= 300 chars", "> 300 chars"]
    header += ["random 2025-26 acc", *(f"2025-26 F1 {label}" for label in labels)]
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")
    for name, seed, m in rows:
        s = m["slices"]
        cells = [m["macro_f1"], s["era 2005-21"]["macro_f1"], s[RECENT]["macro_f1"]]
        cells += [s["up to 300 characters"]["macro_f1"], s["over 300 characters"]["macro_f1"]]
        cells += [s[RANDOM_RECENT]["accuracy"]]
        cells += [s[RECENT]["per_class"][label]["f1"] for label in labels]
        print(f"| {name} | {seed} | " + " | ".join(f"{x:.3f}" for x in cells) + " |")


if __name__ == "__main__":
    main()
