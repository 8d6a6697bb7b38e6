"""The schema of a saved model's ``metadata.json``: every key, its type and range.

A model folder may come from anywhere, so its metadata is data to check, not to
trust: :func:`check_metadata` refuses unknown keys, wrong types and values out of
range before anything else reads them. Each known key has one entry in
:data:`METADATA_FIELDS` (top level) or :data:`PARAM_FIELDS` (the classifier's
parameters); a new key is supported by adding a row there.

Settings of the machine that runs newscat (:data:`RUNTIME_PARAMS`: the cache
folder, worker processes, progress bar) never come from a model file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..errors import ModelError
from ..runtime import RUNTIME_SETTINGS
from ..segmenters.registry import SEGMENTERS
from .estimator import CLASSIFIERS

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_METADATA_BYTES",
    "METADATA_FIELDS",
    "PARAM_FIELDS",
    "RUNTIME_PARAMS",
    "DATA_PARAMS",
    "check_metadata",
]

FORMAT = "newscat-model"
# 2: metadata records the size and SHA-256 of the vocabulary and of model.skops (and of
# the word list of a model with word vectors).
FORMAT_VERSION = 2
MAX_METADATA_BYTES = 1_000_000
MAX_LABELS = 1_000
MAX_TERMS = 10_000_000
MAX_TEXTS = 10_000_000  # training texts a model with neighbour votes remembers
MAX_VOCABULARY_BYTES = 256 * 2**20
MAX_STATE_BYTES = 2 * 2**30
MAX_DEPTH = 16
# Settings of the machine that trained or runs a model (newscat.runtime), not of the
# model: a model file may not hold them.
RUNTIME_PARAMS = RUNTIME_SETTINGS
# Parameters saved as data (model.skops and their own files), not in metadata.json.
DATA_PARAMS = ("word_vectors",)

Check = Callable[[Any, str], None]


def _fail(where: str, expected: str, value: Any) -> None:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    raise ModelError(f"{where} must be {expected}, got {shown}")


def _const(expected: Any) -> Check:
    def check(value, where):
        if value != expected or type(value) is not type(expected):
            _fail(where, repr(expected), value)

    return check


def _integer(low: int, high: int) -> Check:
    def check(value, where):
        if type(value) is not int or not low <= value <= high:
            _fail(where, f"an integer from {low} to {high}", value)

    return check


def _real(low: float, high: float, *, open_low: bool = False) -> Check:
    def check(value, where):
        ok = type(value) in (int, float) and math.isfinite(value) and low <= value <= high
        if not ok or (open_low and value == low):
            _fail(where, f"a number {'above' if open_low else 'from'} {low} to {high}", value)

    return check


def _boolean(value, where):
    if type(value) is not bool:
        _fail(where, "true or false", value)


def _text(max_chars: int) -> Check:
    def check(value, where):
        if type(value) is not str or len(value) > max_chars:
            _fail(where, f"a string of at most {max_chars} characters", value)

    return check


def _choice(*options: Any) -> Check:
    def check(value, where):
        if not any(value == option and type(value) is type(option) for option in options):
            _fail(where, "one of " + ", ".join(map(repr, options)), value)

    return check


def _either(*checks: Check, expected: str) -> Check:
    def check(value, where):
        for one in checks:
            try:
                one(value, where)
                return
            except ModelError:
                pass
        _fail(where, expected, value)

    return check


def _list(item: Check, max_items: int) -> Check:
    def check(value, where):
        if type(value) is not list or len(value) > max_items:
            _fail(where, f"a list of at most {max_items} items", value)
        for i, element in enumerate(value):
            item(element, f"{where}[{i}]")

    return check


def _mapping(item: Check, max_items: int) -> Check:
    def check(value, where):
        if type(value) is not dict or len(value) > max_items:
            _fail(where, f"an object of at most {max_items} entries", value)
        for key, element in value.items():
            item(element, f"{where}.{key}")

    return check


def _record(fields: dict[str, Check]) -> Check:
    """An object with exactly the keys of ``fields``."""

    def check(value, where):
        if type(value) is not dict:
            _fail(where, "an object", value)
        _check_keys(value, fields, set(fields), where)

    return check


def _free(value, where):
    """Descriptive JSON (data summary, metrics): any content, nested at most MAX_DEPTH."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ModelError(f"{where} is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]


def _labels(value, where):
    _list(_text(200), MAX_LABELS)(value, where)
    if len(value) < 2 or len(set(value)) != len(value) or "" in value:
        _fail(where, "a list of two or more distinct, non-empty labels", value)


def _ngram_range(value, where):
    if (
        type(value) is not list
        or len(value) != 2
        or any(type(n) is not int for n in value)
        or not 1 <= value[0] <= value[1] <= 5
    ):
        _fail(where, "a pair [low, high] with 1 <= low <= high <= 5", value)


def _sha256(value, where):
    if type(value) is not str or len(value) != 64 or not set(value) <= set("0123456789abcdef"):
        _fail(where, "a SHA-256 digest (64 lowercase hex digits)", value)


_LABEL_NAMES = _mapping(_text(200), MAX_LABELS)
_DF = _either(
    _integer(1, 10**9), _real(0.0, 1.0), expected="an integer >= 1 or a fraction from 0 to 1"
)

# The classifier's parameters (NewsClassifier.get_params() minus DATA_PARAMS).
PARAM_FIELDS: dict[str, Check] = {
    "segmenter": _choice(*SEGMENTERS),
    "classifier": _choice(*CLASSIFIERS),
    "C": _real(0.0, 1e6, open_low=True),
    "alpha": _real(0.0, 1e3, open_low=True),
    "ratio_power": _real(0.0, 10.0),
    "ngram_range": _ngram_range,
    "syllable_features": _boolean,
    "title_weight": _integer(0, 100),
    "min_df": _DF,
    "max_df": _DF,
    "max_features": _either(
        _const(None), _integer(1, MAX_TERMS), expected=f"null or an integer to {MAX_TERMS}"
    ),
    "sublinear_tf": _boolean,
    "class_weight": _either(
        _const(None),
        _const("balanced"),
        _mapping(_real(0.0, 1e6, open_low=True), MAX_LABELS),
        expected='null, "balanced" or an object of positive weights',
    ),
    "calibration_cv": _integer(2, 100),
    "clean_pages": _boolean,
    "max_chars": _integer(1, 10_000_000),
    "label_names": _either(_const(None), _LABEL_NAMES, expected="null or an object of names"),
    "min_score": _real(0.0, 1.0),
    "min_margin": _real(0.0, 1.0),
    "random_state": _either(
        _const(None), _integer(0, 2**32 - 1), expected="null or an integer seed"
    ),
    "vector_weight": _real(0.0, 100.0, open_low=True),
    "neighbours": _integer(0, 1_000),
    "neighbour_weight": _real(0.0, 100.0, open_low=True),
}


def _params(value, where):
    if type(value) is not dict:
        _fail(where, "an object", value)
    for key in RUNTIME_PARAMS:
        if key in value:
            raise ModelError(
                f"{where}.{key} is a setting of the machine that runs newscat, not of a "
                "model; a model file may not set it (remove it from metadata.json)"
            )
    _check_keys(value, PARAM_FIELDS, set(), where)


# Top-level keys of metadata.json.
METADATA_FIELDS: dict[str, Check] = {
    "format": _const(FORMAT),
    "format_version": _const(FORMAT_VERSION),
    "name": _text(200),
    "versions": _mapping(_text(100), 20),
    "labels": _labels,
    "label_names": _LABEL_NAMES,
    "segmenter": PARAM_FIELDS["segmenter"],
    "params": _params,
    "vocabulary": _record(
        {
            "terms": _integer(1, MAX_TERMS),
            "bytes": _integer(1, MAX_VOCABULARY_BYTES),
            "sha256": _sha256,
        }
    ),
    "state": _record({"bytes": _integer(1, MAX_STATE_BYTES), "sha256": _sha256}),
    "word_vectors": _record(
        {
            "terms": _integer(1, MAX_TERMS),
            "dimensions": _integer(1, 1_000),
            "bytes": _integer(1, MAX_VOCABULARY_BYTES),
            "sha256": _sha256,
        }
    ),
    "neighbours": _record({"texts": _integer(1, MAX_TEXTS), "dimensions": _integer(1, 1_000)}),
    "training_data": _free,
    "metrics": _free,
    "description": _text(20_000),
    "limitations": _list(_text(2_000), 100),
}
REQUIRED_FIELDS = {
    "format",
    "format_version",
    "name",
    "versions",
    "labels",
    "segmenter",
    "params",
    "vocabulary",
    "state",
}


def _check_keys(value: dict, fields: dict[str, Check], required: set[str], where: str) -> None:
    prefix = f"{where}." if where else ""
    unknown = sorted(set(value) - set(fields), key=str)
    if unknown:
        raise ModelError(f"unknown key {prefix}{unknown[0]!s:.60}")
    for key, item in value.items():
        fields[key](item, prefix + key)
    missing = sorted(required - set(value))
    if missing:
        raise ModelError(f"{prefix}{missing[0]} is missing")


def check_metadata(metadata: Any) -> None:
    """Raise :class:`~newscat.errors.ModelError` naming the first key that is wrong.

    Examples
    --------
    >>> check_metadata({"format": "newscat-model", "format_version": 2})
    Traceback (most recent call last):
    ...
    newscat.errors.ModelError: labels is missing
    >>> check_metadata({"params": {"title_weight": 10**9}})
    Traceback (most recent call last):
    ...
    newscat.errors.ModelError: params.title_weight must be an integer from 0 to 100, got 1000000000
    """
    if type(metadata) is not dict:
        _fail("metadata", "an object", metadata)
    _check_keys(metadata, METADATA_FIELDS, REQUIRED_FIELDS, "")
    segmenter = metadata["segmenter"]
    if metadata["params"].get("segmenter", segmenter) != segmenter:
        raise ModelError("segmenter and params.segmenter differ")
