"""The ``newscat`` command: train, evaluate, classify and score archives.

``train.py`` and ``evaluate.py`` at the repository root run the same code as
``newscat train`` and ``newscat evaluate``.

Every error is one line on standard error, ``newscat: error: ...``, and the exit
status says what kind it was:

===  ==========================================================================
0    done (``score``: every record accounted for, error records included)
1    bad input or data: a missing or unreadable file, malformed data, a missing
     optional extra, an existing output, or an empty text for ``classify`` or ``explain``
2    usage: an unknown or invalid option, options that do not go together; or a
     model that cannot be used: missing, corrupt, incompatible or untrusted
     (:class:`~newscat.errors.ModelError`)
130  interrupted (Ctrl-C)
===  ==========================================================================
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .errors import DataError, ModelError, NewscatError, UsageError
from .textfiles import read_text_file

__all__ = ["EXIT_DATA", "EXIT_INTERRUPTED", "EXIT_MODEL", "EXIT_USAGE", "build_parser", "main"]

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_MODEL = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str):
        sys.exit(_fail(f"{message} (see '{self.prog} --help')", EXIT_USAGE))


def _fail(message: str, status: int) -> int:
    print(f"newscat: error: {message}", file=sys.stderr)
    return status


def _int_at_least(minimum: int, *, or_zero: bool = False) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``minimum`` (or 0 when ``or_zero``).

    Examples
    --------
    >>> _int_at_least(2, or_zero=True)("0"), _int_at_least(1)("3")
    (0, 3)
    >>> _int_at_least(1)("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer of at least 1, got '-1'
    """
    expected = f"{'0 or ' if or_zero else ''}an integer of at least {minimum}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or (value < minimum and not (or_zero and value == 0)):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


def _positive_float(text: str) -> float:
    """An argparse type: a finite number above 0.

    Examples
    --------
    >>> _positive_float("0.5")
    0.5
    >>> _positive_float("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a number above 0, got 'nan'
    """
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def _add_data_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-field", default="text", help="text field/column (default: text)")
    parser.add_argument("--label-field", default="label", help="label field/column")


def _add_train_parser(sub) -> None:
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
    p.add_argument("--segmenter", choices=["underthesea", "dictionary", "syllable"])
    p.add_argument("--classifier", choices=["linearsvc", "logreg", "sgd"])
    p.add_argument("--C", type=_positive_float, help="inverse regularisation strength (> 0)")
    p.add_argument(
        "--syllable-features",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also count syllable n-grams (needs a word segmenter)",
    )
    p.add_argument(
        "--title-weight", type=_int_at_least(0), help="how many more times the headline counts"
    )
    p.add_argument(
        "--cv",
        type=_int_at_least(2, or_zero=True),
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
        "--jobs", type=_int_at_least(1), default=1, help="processes for segmenting (default 1)"
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
    _add_data_fields(p)
    p.set_defaults(func=_run_train)
    p.epilog = (
        "With --recipe, the model options given (--segmenter, --classifier, --C, "
        "--[no-]syllable-features, --title-weight, --cv, --data, --name) override the "
        "recipe's."
    )


def _recipe_from_args(args):
    from .training import Recipe, load_recipe

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


def _run_train(args) -> int:
    from .training import train_model

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


def _add_evaluate_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="measure a model on labelled articles",
        description="Print accuracy, macro/weighted F1, per-class scores and the confusion matrix.",
    )
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--data", nargs="+", required=True, help="labelled data files or folders")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.add_argument(
        "--report", help="folder for index.html (open it in a browser), metrics.json and PNGs"
    )
    p.add_argument("--no-clean", action="store_true", help="do not clean pages first")
    p.add_argument("--errors", help="JSONL file for each misclassified article")
    p.add_argument(
        "--slice-field",
        action="append",
        default=[],
        metavar="FIELD",
        help="also measure each value of this data field (dates by year); repeatable",
    )
    p.add_argument(
        "--jobs", type=_int_at_least(1), default=1, help="labelling processes (default 1)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_data_fields(p)
    p.set_defaults(func=_run_evaluate)


def _run_evaluate(args) -> int:
    from . import load
    from .batch import classify_all
    from .evaluation import compute_metrics, format_report, plot_confusion, write_errors
    from .readers import read_labelled
    from .report import evaluation_report, measure_slices, slices_of_fields
    from .scoring import _model_name_version

    model = load(args.model)
    data = read_labelled(args.data, text_field=args.text_field, label_field=args.label_field)
    slices = slices_of_fields(args.data, data.sources, args.slice_field)
    clean = False if args.no_clean else None
    results = classify_all(
        model, data.texts, jobs=args.jobs, clean=clean, progress=not args.no_progress
    )
    predicted = [result.label for result in results]
    metrics = compute_metrics(data.labels, predicted)
    if slices:
        uncertain = [result.uncertain for result in results]
        metrics["slices"] = measure_slices(data.labels, predicted, slices, uncertain)
    if args.errors:
        scores = [result.score for result in results]
        write_errors(args.errors, data.ids, data.texts, data.labels, predicted, scores)
    if args.report:
        folder = Path(args.report)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        plot_confusion(metrics, folder / "confusion_matrix.png")
        name, version = _model_name_version(model)
        note = f"model {name} {version}; data {', '.join(args.data)}"
        evaluation_report(folder, model, data, results, slices=slices, clean=clean, note=note)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False))
    else:
        print(format_report(metrics))
        if args.report:
            print(f"\nreport written to {args.report}")
    return 0


def _add_classify_parser(sub) -> None:
    p = sub.add_parser(
        "classify",
        help="label one text (argument, file or standard input)",
        description="Print the label, its Vietnamese name and score for one article.",
    )
    add_article_source(p)
    p.add_argument(
        "--top-k",
        type=_int_at_least(1),
        default=3,
        help="how many scores to show (default 3; more than there are labels: all)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_run_classify)


def add_article_source(p: argparse.ArgumentParser) -> None:
    """The options giving one article (an argument, ``--file`` or standard input), the
    model and whether to clean the page first."""
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "text", nargs="?", help="the article text; '-' or none: read it from standard input"
    )
    source.add_argument(
        "--file", help="read the article from this file (UTF-8, or UTF-16 with a byte-order mark)"
    )
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--no-clean", action="store_true", help="do not clean a scraped page first")


def article_text(args) -> str:
    """The article the options of :func:`add_article_source` give."""
    if args.file is not None:
        return read_text_file(args.file)
    if args.text is None or args.text == "-":
        return _read_stdin()
    return args.text


def _run_classify(args) -> int:
    from . import load

    text = article_text(args)
    model = load(args.model)
    result = model.classify(text, top_k=args.top_k, clean=False if args.no_clean else None)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    if result.label is None:
        raise DataError("no label: the text is empty")
    flag = f"  (uncertain: {result.reason})" if result.uncertain else ""
    print(f"{result.label}\t{result.score:.4f}\t{result.name}{flag}")
    for label, score in result.top_k[1:]:
        print(f"  {label}\t{score:.4f}")
    return 0


def _read_stdin() -> str:
    """Standard input as text; bytes that are not UTF-8 become U+FFFD."""
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError("no text: give it as an argument or on standard input, which is closed")
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text stream (e.g. io.StringIO)
        return sys.stdin.read()
    return stream.read().decode("utf-8-sig", errors="replace")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``newscat`` command."""
    from .explain_command import add_explain_parser
    from .review import add_review_parser
    from .scoring import add_score_parser

    parser = _Parser(prog="newscat", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"newscat {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_train_parser(sub)
    _add_evaluate_parser(sub)
    _add_classify_parser(sub)
    add_explain_parser(sub)
    add_score_parser(sub)
    add_review_parser(sub)
    return parser


def main(argv: list[str] | None = None, *, command: str | None = None) -> int:
    """Run the ``newscat`` command; return its exit status (see the module docstring).

    ``command`` fixes the subcommand (for train.py). An invalid option exits at once
    with status 2 (``SystemExit``, as argparse does).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if command:
        argv = [command, *argv]
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        return _fail(f"{exc} (see 'newscat {args.command} --help')", EXIT_USAGE)
    except ModelError as exc:
        return _fail(str(exc), EXIT_MODEL)
    except (NewscatError, OSError) as exc:
        return _fail(str(exc), EXIT_DATA)
    except KeyboardInterrupt as exc:
        return _fail("; ".join(["interrupted", *map(str, exc.args)]), EXIT_INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
