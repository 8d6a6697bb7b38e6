"""The ``newscat`` command: train, evaluate, classify, explain, score archives and review them.

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
import sys

from .._version import __version__
from ..errors import ModelError, NewscatError, UsageError
from . import classify, evaluate, explain, review, score, train

__all__ = ["EXIT_DATA", "EXIT_INTERRUPTED", "EXIT_MODEL", "EXIT_USAGE", "build_parser", "main"]

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_MODEL = 2
EXIT_INTERRUPTED = 130
# One module per command: add_parser(subparsers) registers it, with run(args) as its func.
COMMANDS = (train, evaluate, classify, explain, score, review)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str):
        sys.exit(_fail(f"{message} (see '{self.prog} --help')", EXIT_USAGE))


def _fail(message: str, status: int) -> int:
    print(f"newscat: error: {message}", file=sys.stderr)
    return status


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``newscat`` command."""
    parser = _Parser(prog="newscat", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"newscat {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
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
