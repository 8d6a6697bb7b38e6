"""``newscat train``: train a model from data files or a recipe and save it as a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..classifier.estimator import CLASSIFIERS
from ..errors import UsageError
from ..segmenters.registry import SEGMENTERS
from ..training.train import Recipe, load_recipe, train_model
from .options import add_data_fields, int_at_least, positive_float

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a model on labelled articles",
        description="Train a model from data files or a recipe and save it as a folder.",
    )
    p.add_argument("--data", nargs="+", help="JSONL(.gz), CSV/TSV files or label folders")
    p.add_argument("--recipe", help="a recipe JSON file (data, parameters, labels)")
    p.add_argument("--output", required=True, help="model folder to write")
    p.add_argument("--overwrite", action="store_true", help="replace a model already at --output")
    p.add_argument("--name", help="model name (default: the output folder's name)")
    p.add_argument("--segmenter", choices=list(SEGMENTERS))
    p.add_argument("--classifier", choices=list(CLASSIFIERS))
    p.add_argument("--C", type=positive_float, help="inverse regularisation strength (> 0)")
    p.add_argument(
        "--syllable-features",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also count syllable n-grams (needs a word segmenter)",
    )
    p.add_argument(
        "--title-weight", type=int_at_least(0), help="how many more times the headline counts"
    )
    p.add_argument(
        "--cv",
        type=int_at_least(2, or_zero=True),
        default=None,
        help="cross-validation folds to report (2 or more; 0: none)",
    )
    p.add_argument(
        "--errors", help="JSONL file for the articles cross-validation got wrong (needs --cv)"
    )
    p.add_argument(
        "--jobs", type=int_at_least(1), default=1, help="processes for segmenting (default 1)"
    )
    p.add_argument("--cache-dir", help="segmentation cache folder (default: user cache)")
    p.add_argument("--no-cache", action="store_true", help="do not use the segmentation cache")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_data_fields(p)
    p.set_defaults(func=run)
    p.epilog = (
        "With --recipe, the model options given (--segmenter, --classifier, --C, "
        "--[no-]syllable-features, --title-weight, --cv, --data, --name) override the "
        "recipe's."
    )


def _recipe_from_args(args):
    if args.recipe:
        recipe = load_recipe(args.recipe)
        if args.data:
            recipe.data = [{"path": path} for path in args.data]
    elif args.data:
        recipe = Recipe(Path(args.output).name, [{"path": p} for p in args.data], {}, [], {})
    else:
        raise UsageError("give --data FILE... or --recipe FILE")
    for entry in recipe.data:
        entry.setdefault("text_field", args.text_field)
        entry.setdefault("label_field", args.label_field)
    for key in ("segmenter", "classifier", "C", "syllable_features", "title_weight"):
        if getattr(args, key) is not None:
            recipe.params[key] = getattr(args, key)
    if args.cv is not None:
        recipe.cv_folds = args.cv
    if args.name:
        recipe.name = args.name
    if recipe.params.get("segmenter") == "syllable" and recipe.params.get("syllable_features"):
        raise UsageError(
            "segmenter 'syllable' with syllable features: the words already are syllables; "
            "add --no-syllable-features or choose another --segmenter"
        )
    return recipe


def run(args) -> int:
    runtime = {
        "n_jobs": args.jobs,
        "progress": not args.no_progress,
        "cache_dir": False if args.no_cache else args.cache_dir,
    }
    recipe = _recipe_from_args(args)
    if args.errors and not recipe.cv_folds:
        raise UsageError("--errors lists cross-validation mistakes: give --cv N as well")
    summary = train_model(
        recipe, args.output, runtime=runtime, overwrite=args.overwrite, errors=args.errors
    )
    labels = ", ".join(f"{k} {v}" for k, v in summary["labels"].items())
    print(f"model saved to {summary['output']}")
    print(f"documents: {summary['documents']} (+{summary['extra_documents']} extra)")
    print(f"labels: {labels}")
    print(f"vocabulary: {summary['vocabulary']} features")
    vectors = summary.get("word_vector_seconds")
    learnt = f", word vectors {vectors} s" if vectors is not None else ""
    print(f"time: {summary['seconds']} s (final fit {summary['fit_seconds']} s{learnt})")
    for name, result in summary["metrics"].items():
        print(f"{name}: accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f}")
    return 0
