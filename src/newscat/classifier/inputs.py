"""Checks of what a model is given, texts and labels: a clear error names the first bad one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Real

from ..errors import DataError

__all__ = [
    "check_class_weight",
    "check_label_names",
    "check_labels",
    "check_texts",
    "unknown_label",
]


def check_texts(texts, what: str = "texts") -> list[str]:
    """Return ``texts`` as a list of str, or raise a clear error.

    Examples
    --------
    >>> check_texts(("a", "b"))
    ['a', 'b']
    >>> check_texts("one article")
    Traceback (most recent call last):
    ...
    TypeError: Iterable over raw text documents expected, string object received; \
pass a list of texts, e.g. [text]
    >>> import numpy as np
    >>> check_texts(np.array([["a", "b"]]))
    Traceback (most recent call last):
    ...
    TypeError: texts: expected a 1-D list or Series of texts, got a 2-D ndarray; pass one \
column, e.g. df["text"], not df[["text"]]
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            "Iterable over raw text documents expected, string object received; "
            "pass a list of texts, e.g. [text]"
        )
    if not isinstance(texts, Iterable):
        raise TypeError(f"{what}: expected a list of str, got {type(texts).__name__}")
    ndim = getattr(texts, "ndim", 1)
    if ndim != 1:  # a DataFrame iterates over its column names, not its rows
        raise TypeError(
            f"{what}: expected a 1-D list or Series of texts, got a {ndim}-D "
            f'{type(texts).__name__}; pass one column, e.g. df["text"], not df[["text"]]'
        )
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{what}[{i}]: expected str, got {type(text).__name__}")
    return texts


def check_labels(labels, what: str = "y") -> list[str]:
    """Return ``labels`` as a list of str, or raise naming the first bad one.

    Every label must be a non-empty str: a missing label (``None``, NaN) or a
    number is refused rather than turned into a class such as ``'nan'``.

    Examples
    --------
    >>> check_labels(["weather", "crime"])
    ['weather', 'crime']
    >>> check_labels(["weather", None])
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: y[1]: the label is missing (None); every text needs a label
    """
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
        raise TypeError(f"{what}: expected a list of str labels, got {type(labels).__name__}")
    if getattr(labels, "ndim", 1) != 1:
        raise TypeError(f"{what}: expected a 1-D list or Series of labels, got {labels.ndim}-D")
    checked = []
    for i, label in enumerate(labels):
        if label is None or (isinstance(label, float) and label != label):
            raise DataError(
                f"{what}[{i}]: the label is missing ({label}); every text needs a label"
            )
        if not isinstance(label, str):
            raise DataError(
                f"{what}[{i}]: labels must be str (topic names such as 'weather'), "
                f"got {type(label).__name__} {label!r}"
            )
        if not label.strip():
            raise DataError(f"{what}[{i}]: the label is empty; every text needs a label")
        checked.append(str(label))
    return checked


def unknown_label(setting: str, label, classes: Sequence[str]) -> DataError:
    """The error for a setting that names a label the training data does not have.

    Examples
    --------
    >>> print(unknown_label("label_names", "wether", ["crime", "weather"]))
    label_names names 'wether', which is not a label of the training data (labels: 'crime', \
'weather')
    """
    known = ", ".join(map(repr, classes))
    return DataError(
        f"{setting} names {label!r}, which is not a label of the training data (labels: {known})"
    )


def check_label_names(label_names: Mapping | None, classes: Sequence[str] | None = None) -> None:
    """Refuse display names that are not text and, given the labels of the whole training
    data, names of labels it lacks (a typo would go unseen).

    Examples
    --------
    >>> check_label_names({"weather": "Thời tiết"}, ["crime", "weather"])
    >>> check_label_names({"weather": 3})
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: label_names: the name of 'weather' must be text, got int 3
    """
    for label, name in (label_names or {}).items():
        if classes is not None and label not in classes:
            raise unknown_label("label_names", label, classes)
        if not isinstance(name, str):
            raise DataError(
                f"label_names: the name of {label!r} must be text, "
                f"got {type(name).__name__} {name!r}"
            )


def check_class_weight(class_weight, classes: Sequence[str]) -> None:
    """Refuse class weights by label name that name a label not in ``classes`` or give a
    weight that is not a number above 0; ``None`` and ``"balanced"`` pass.

    Examples
    --------
    >>> check_class_weight({"weather": 2.0}, ["crime", "weather"])
    >>> check_class_weight({"weather": -1}, ["crime", "weather"])
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: class_weight of 'weather' is -1; a weight must be a number above 0
    """
    if not isinstance(class_weight, Mapping):
        return
    for label, weight in class_weight.items():
        if label not in classes:
            raise unknown_label("class_weight", label, classes)
        if isinstance(weight, bool) or not isinstance(weight, Real) or not weight > 0:
            raise DataError(
                f"class_weight of {label!r} is {weight!r}; a weight must be a number above 0"
            )
