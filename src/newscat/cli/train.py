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
        "--report", help="folder for index.html, the cross-validation report (needs --cv)"
    )
    p.add_argument(
        "--jobs", type=int_at_least(1), default=1, help="processes for segmenting (default 1)"
    )
    p.add_argument(
        "--add",
        nargs="+",
        default=[],
        metavar="LABELLED.jsonl",
        help="articles labelled by a person (newscat review's output, 'label' filled in)",
    )
    p.add_argument(
        "--search",
        nargs="?",
        const="",
        metavar="GRID.json",
        help="first search the settings by cross-validation (grid file; none: the default grid)",
    )
    p.add_argument(
        "--search-method",
        choices=["halving", "grid"],
        default="halving",
        help="successive halving (default) or every candidate on all data",
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
    for option, value in (("--errors", args.errors), ("--report", args.report)):
        if value and not recipe.cv_folds:
            raise UsageError(f"{option} shows cross-validation results: give --cv N as well")
    if args.add and not recipe.cv_folds:
        if args.cv == 0:
            raise UsageError("--add compares cross-validation before and after: give --cv 2+")
        recipe.cv_folds = 5
    search = None
    if args.search is not None:
        search = {"grid": args.search or None, "method": args.search_method}
    summary = train_model(
        recipe,
        args.output,
        runtime=runtime,
        overwrite=args.overwrite,
        errors=args.errors,
        report=args.report,
        search=search,
        add=args.add,
    )
    labels = ", ".join(f"{k} {v}" for k, v in summary["labels"].items())
    if summary["search"]:
        found = summary["search"]
        print(
            f"search: {found['candidates']} settings, best macro-F1 {found['best_macro_f1']:.4f} "
            f"with {found['best_params']} (table in {summary['output']}/search.json)"
        )
    if summary["added"]:
        _print_added(summary["added"])
    print(f"model saved to {summary['output']}")
    print(f"documents: {summary['documents']} (+{summary['extra_documents']} extra)")
    print(f"labels: {labels}")
    print(f"vocabulary: {summary['vocabulary']} features")
    vectors = summary.get("word_vector_seconds")
    learnt = f", word vectors {vectors} s" if vectors is not None else ""
    print(f"time: {summary['seconds']} s (final fit {summary['fit_seconds']} s{learnt})")
    for name, result in summary["metrics"].items():
        print(f"{name}: accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f}")
    if args.report:
        print(f"report written to {Path(args.report) / 'index.html'}")
    return 0


def _print_added(added: dict) -> None:
    unlabelled = added["unlabelled"]
    left_out = ""
    if unlabelled["count"]:
        left_out = f"; {unlabelled['count']} without a label left out: " + ", ".join(
            unlabelled["first"]
        )
        left_out += ", ..." if unlabelled["count"] > len(unlabelled["first"]) else ""
    print(f"added: {added['n_documents']} labelled articles{left_out}")
    for name, (before, after) in added.get("macro_f1", {}).items():
        print(f"  cross-validated macro-F1 on {name}: {before:.4f} before, {after:.4f} after")
