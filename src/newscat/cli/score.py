"""``newscat score``: label every record of an archive with
:func:`~newscat.scoring.job.score_archive`."""

from __future__ import annotations

import argparse

from ..errors import UsageError
from ..scoring.batch import DEFAULT_BATCH_SIZE
from ..scoring.engines import ENGINES
from ..scoring.job import score_archive
from .options import int_at_least

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``score`` subcommand on ``subparsers`` (of ``newscat``'s parser).

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="newscat")
    >>> _ = add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["score", "a.jsonl", "pages/", "-o", "out.csv", "-j", "2"])
    >>> args.inputs, args.output, args.jobs, args.func.__name__
    (['a.jsonl', 'pages/'], 'out.csv', 2, 'run')
    """
    p = subparsers.add_parser(
        "score",
        help="label every record of an archive (streaming, parallel, resumable)",
        description=(
            "Label every record of folders of .txt/.html files and .jsonl(.gz), .csv/.tsv "
            "and .parquet files. Labelled records go to OUTPUT (.jsonl, .jsonl.gz, .csv or "
            ".parquet), the others to the errors file with the reason; read = labelled + "
            "errors is checked. After an interruption, run the same command with --resume."
        ),
        epilog=(
            "exit status: 0 when every record is accounted for (even with error records), "
            "1 on bad input, a bad model or a missing extra, 2 on a usage error, 130 when "
            "interrupted"
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folders and files to label")
    p.add_argument("-o", "--output", required=True, help="results file (.jsonl/.csv/.parquet)")
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--errors", help="errors file (default: OUTPUT.errors.jsonl)")
    p.add_argument(
        "-j",
        "--jobs",
        type=int_at_least(1),
        help="processes or local Dask workers (default: all cores)",
    )
    p.add_argument(
        "--batch-size",
        type=int_at_least(1),
        default=DEFAULT_BATCH_SIZE,
        help=f"records per batch (default {DEFAULT_BATCH_SIZE})",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted run")
    p.add_argument("--engine", choices=ENGINES, default="local", help="where to label records")
    p.add_argument("--scheduler", help="Dask scheduler address (default: start a local cluster)")
    p.add_argument(
        "--no-clean",
        dest="clean",
        action="store_const",
        const=False,
        help="do not strip page furniture first (default: the model's setting)",
    )
    p.add_argument(
        "--top-k", type=int_at_least(1), default=3, help="scores to keep per record (default 3)"
    )
    p.add_argument(
        "--explain",
        type=int_at_least(1),
        default=0,
        metavar="N",
        help="add the N terms that raised each label's score most (column 'explanation')",
    )
    p.add_argument("--text-field", default="text", help="text field/column (default: text)")
    p.add_argument("--id-field", default="id", help="id field/column (default: id)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    p.add_argument(
        "--csv-raw",
        dest="csv_escape",
        action="store_false",
        help="in a CSV output, do not put ' before cells starting with = + - @ (formulas)",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``newscat score`` with parsed ``args``; print the summary; return the exit status.

    Errors newscat reports on purpose (:class:`~newscat.errors.NewscatError`,
    ``OSError``) and ``KeyboardInterrupt`` propagate to ``newscat``'s ``main``, which
    prints them on one line and returns the exit status.
    """
    if args.scheduler is not None and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    try:
        summary = score_archive(
            args.inputs,
            args.output,
            model=args.model,
            errors=args.errors,
            jobs=args.jobs,
            batch_size=args.batch_size,
            resume=args.resume,
            engine=args.engine,
            scheduler=args.scheduler,
            clean=args.clean,
            top_k=args.top_k,
            text_field=args.text_field,
            id_field=args.id_field,
            progress=args.progress,
            csv_escape=args.csv_escape,
            explain=args.explain,
        )
    except KeyboardInterrupt:
        raise KeyboardInterrupt(
            f"run the same command with --resume to finish {args.output}"
        ) from None
    print(summary)
    return 0
