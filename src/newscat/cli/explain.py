"""``newscat explain``: the terms behind one article's label."""

from __future__ import annotations

import argparse
import json

from ..classifier.explanation import format_explanation
from ..classifier.shipped import load
from .classify import add_article_source, article_text
from .options import int_at_least

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    """Register the ``explain`` subcommand on ``sub`` (of ``newscat``'s parser).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="newscat")
    >>> add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["explain", "Bão số 3", "--top", "5", "--json"])
    >>> args.text, args.top, args.json
    ('Bão số 3', 5, True)
    """
    p = sub.add_parser(
        "explain",
        help="show the terms that raised and lowered one article's scores",
        description=(
            "For the predicted label and the runner-up, list the terms that raised and "
            "lowered the decision value, each with its contribution (TF-IDF value times "
            "coefficient; word-vector terms likewise), and the intercept: together they "
            "add up to the decision value."
        ),
    )
    add_article_source(p)
    p.add_argument(
        "--top",
        type=int_at_least(1),
        default=10,
        help="terms to show on each side (default 10)",
    )
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``newscat explain`` with parsed ``args``; print the explanation; return 0."""
    text = article_text(args)
    model = load(args.model)
    explanation = model.explain(text, top=args.top, clean=False if args.no_clean else None)
    if args.json:
        print(json.dumps(explanation.to_dict(), ensure_ascii=False))
    else:
        print(format_explanation(explanation))
    return 0
