"""Option types and options shared by the commands."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

__all__ = ["add_data_fields", "int_at_least", "positive_float"]


def int_at_least(minimum: int, *, or_zero: bool = False) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``minimum`` (or 0 when ``or_zero``).

    Examples
    --------
    >>> int_at_least(2, or_zero=True)("0"), int_at_least(1)("3")
    (0, 3)
    >>> int_at_least(1)("-1")
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


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0.

    Examples
    --------
    >>> positive_float("0.5")
    0.5
    >>> positive_float("nan")
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


def add_data_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-field", default="text", help="text field/column (default: text)")
    parser.add_argument("--label-field", default="label", help="label field/column")
