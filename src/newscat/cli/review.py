"""``newscat review``: pick the articles of an archive a person should label next."""

from __future__ import annotations

import argparse

from ..classifier.shipped import load
from ..training.review import pick_for_review
from .options import int_at_least

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    """Register the ``review`` subcommand on ``sub`` (of ``newscat``'s parser).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="newscat")
    >>> add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["review", "a.jsonl", "-o", "to_label.jsonl", "--n", "50"])
    >>> args.inputs, args.output, args.n
    (['a.jsonl'], 'to_label.jsonl', 50)
    """
    p = sub.add_parser(
        "review",
        help="pick the articles a person should label next",
        description=(
            "Score an archive and write the articles whose labels would help the model most: "
            "flagged uncertain first, then the closest calls, spread over predicted topics "
            "and sources, near-duplicates left out. Fill in each 'label' and retrain with "
            "'python train.py --recipe RECIPE --add OUTPUT --output DIR'."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="ARCHIVE", help="folders and files to read")
    p.add_argument("-o", "--output", required=True, help="JSONL file to write")
    p.add_argument("--n", type=int_at_least(1), default=300, help="how many articles (default 300)")
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument(
        "--exclude", nargs="+", default=[], help="files of earlier rounds: their ids are skipped"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument("--no-clean", dest="clean", action="store_const", const=False)
    p.add_argument("--text-field", default="text", help="text field/column (default: text)")
    p.add_argument("--id-field", default="id", help="id field/column (default: id)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``newscat review`` with parsed ``args``; print the summary; return 0."""
    summary = pick_for_review(
        args.inputs,
        args.output,
        model=load(args.model),
        n=args.n,
        exclude=args.exclude,
        text_field=args.text_field,
        id_field=args.id_field,
        clean=args.clean,
        overwrite=args.overwrite,
        progress=args.progress,
    )
    print(summary)
    return 0
