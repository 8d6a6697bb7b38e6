"""``newscat classify``: label one text given as an argument, a file or on standard input."""

from __future__ import annotations

import argparse
import json
import sys

from ..classifier.shipped import load
from ..errors import DataError, UsageError
from ..readers.archive import MAX_RECORD_BYTES
from ..text.decode import check_size, read_text_file
from .options import int_at_least

__all__ = ["add_article_source", "add_parser", "article_text", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "classify",
        help="label one text (argument, file or standard input)",
        description="Print the label, its Vietnamese name and score for one article.",
    )
    add_article_source(p)
    p.add_argument(
        "--top-k",
        type=int_at_least(1),
        default=3,
        help="how many scores to show (default 3; more than there are labels: all)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def add_article_source(p: argparse.ArgumentParser) -> None:
    """The options giving one article (an argument, ``--file`` or standard input), the
    model and whether to clean the page first."""
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "text", nargs="?", help="the article text; '-' or none: read it from standard input"
    )
    source.add_argument(
        "--file",
        help="read the article from this file (UTF-8, or UTF-16 with a byte-order mark; "
        "at most 10 MiB)",
    )
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--no-clean", action="store_true", help="do not clean a scraped page first")


def article_text(args) -> str:
    """The article the options of :func:`add_article_source` give."""
    if args.file is not None:
        return read_text_file(args.file, MAX_RECORD_BYTES)
    if args.text is None or args.text == "-":
        return _read_stdin()
    return args.text


def run(args) -> int:
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
    """Standard input as text (at most :data:`MAX_RECORD_BYTES`); bytes that are not
    UTF-8 become U+FFFD."""
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError("no text: give it as an argument or on standard input, which is closed")
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # replaced by a text stream (e.g. io.StringIO)
        return sys.stdin.read()
    data = stream.read(MAX_RECORD_BYTES + 1)
    check_size(data, MAX_RECORD_BYTES, "standard input")
    return data.decode("utf-8-sig", errors="replace")
