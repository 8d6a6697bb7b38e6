"""Measuring a model: accuracy, F1 scores, per-class report and confusion matrix."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_recall_fscore_support,
)

from ..extras import require

__all__ = [
    "ERROR_TEXT_CHARS",
    "compute_metrics",
    "uncertainty_summary",
    "format_report",
    "plot_confusion",
    "unknown_labels",
    "slice_metrics",
    "write_errors",
]

# How much of a misclassified article's text an errors file shows.
ERROR_TEXT_CHARS = 300


def compute_metrics(y_true: Sequence[str], y_pred: Sequence[str | None]) -> dict:
    """Return accuracy, macro/weighted F1, per-class scores and the confusion matrix.

    A prediction of ``None`` (an empty text) counts as wrong.

    Examples
    --------
    >>> m = compute_metrics(["a", "a", "b"], ["a", "b", "b"])
    >>> round(m["accuracy"], 3), m["n"], m["per_class"]["b"]["support"]
    (0.667, 3, 1)
    """
    y_true = [str(y) for y in y_true]
    y_pred = ["" if y is None else str(y) for y in y_pred]
    labels = sorted(set(y_true))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "weighted_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)
        ),
        "per_class": {
            label: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, label in enumerate(labels)
        },
        "labels": labels,
        "confusion_matrix": _confusion_matrix(y_true, y_pred, labels),
    }


def _confusion_matrix(y_true: list[str], y_pred: list[str], labels: list[str]) -> list:
    """Counts of (true, predicted) pairs over ``labels``; a prediction outside them is
    left out, as scikit-learn does, without its warning for a one-label slice."""
    index = {label: i for i, label in enumerate(labels)}
    pairs = [(index[t], index[p]) for t, p in zip(y_true, y_pred) if p in index]
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    if pairs:
        np.add.at(matrix, tuple(np.array(pairs).T), 1)
    return matrix.tolist()


def unknown_labels(y_true: Sequence[str], classes: Sequence[str]) -> dict[str, int]:
    """The labels of the data that the model cannot give, with how many articles carry each
    (a typo, or another label set): those articles can only count as wrong.

    Examples
    --------
    >>> unknown_labels(["weather", "wether", "wether"], ["crime", "weather"])
    {'wether': 2}
    """
    known = set(classes)
    return dict(sorted(Counter(label for label in y_true if label not in known).items()))


def uncertainty_summary(correct: np.ndarray, uncertain: np.ndarray) -> dict:
    """Share of predictions flagged uncertain and the accuracy of each group.

    Examples
    --------
    >>> uncertainty_summary(np.array([True, True, False]), np.array([False, False, True]))
    {'share': 0.3333333333333333, 'accuracy_when_certain': 1.0, 'accuracy_when_uncertain': 0.0}
    """
    return {
        "share": float(uncertain.mean()),
        "accuracy_when_certain": float(correct[~uncertain].mean()) if (~uncertain).any() else None,
        "accuracy_when_uncertain": float(correct[uncertain].mean()) if uncertain.any() else None,
    }


def slice_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    slices: Mapping[str, Sequence[bool]],
    uncertain: Sequence[bool] | None = None,
) -> dict:
    """:func:`compute_metrics` on each named subset of the rows (a boolean mask each).

    With ``uncertain`` flags, each slice also gets its :func:`uncertainty_summary`.
    An empty slice is left out.

    Examples
    --------
    >>> m = slice_metrics(["a", "a", "b"], ["a", "b", "b"], {"first two": [True, True, False]})
    >>> m["first two"]["n"], m["first two"]["accuracy"]
    (2, 0.5)
    """
    y_true = np.asarray([str(y) for y in y_true], dtype=object)
    y_pred = np.asarray(list(y_pred), dtype=object)
    result = {}
    for name, mask in slices.items():
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            continue
        metrics = compute_metrics(y_true[mask], y_pred[mask])
        if uncertain is not None:
            correct = y_true[mask] == y_pred[mask]
            metrics["uncertain"] = uncertainty_summary(correct, np.asarray(uncertain)[mask])
        result[name] = metrics
    return result


def write_errors(
    path: str | os.PathLike,
    ids: Sequence[str],
    texts: Sequence[str],
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    scores: Sequence[float],
) -> int:
    """Write each misclassified article as one JSON line; return how many were written.

    A line holds ``id``, ``label`` (the gold label), ``predicted``, ``score`` (of the
    predicted label) and ``text`` (the first :data:`ERROR_TEXT_CHARS` characters).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "errors.jsonl"
    >>> write_errors(path, ["1", "2"], ["Mưa", "Trộm"], ["weather", "crime"],
    ...              ["weather", "other"], [0.9, 0.6])
    1
    >>> path.read_text(encoding="utf-8")
    '{"id": "2", "label": "crime", "predicted": "other", "score": 0.6, "text": "Trộm"}\\n'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for id_, text, gold, pred, score in zip(ids, texts, y_true, y_pred, scores):
            if pred == gold:
                continue
            row = {
                "id": id_,
                "label": gold,
                "predicted": pred,
                "score": round(float(score), 4),
                "text": text[:ERROR_TEXT_CHARS],
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            written += 1
    return written


def format_report(metrics: dict) -> str:
    """Render metrics as a plain-text report for the terminal.

    Examples
    --------
    >>> print(format_report(compute_metrics(["a", "b"], ["a", "b"])).splitlines()[0])
    documents: 2   accuracy: 1.0000   macro-F1: 1.0000   weighted-F1: 1.0000
    """
    lines = [
        f"documents: {metrics['n']}   accuracy: {metrics['accuracy']:.4f}   "
        f"macro-F1: {metrics['macro_f1']:.4f}   weighted-F1: {metrics['weighted_f1']:.4f}",
        "",
    ]
    width = max(len(label) for label in metrics["labels"]) + 2
    lines.append(f"{'label':<{width}}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}")
    for label, m in metrics["per_class"].items():
        lines.append(
            f"{label:<{width}}{m['precision']:>10.4f}{m['recall']:>10.4f}{m['f1']:>10.4f}"
            f"{m['support']:>9}"
        )
    lines += ["", "confusion matrix (rows: true, columns: predicted)"]
    codes = [f"{i:>6}" for i in range(len(metrics["labels"]))]
    lines.append(" " * (width + 4) + "".join(codes))
    for i, (label, row) in enumerate(zip(metrics["labels"], metrics["confusion_matrix"])):
        lines.append(f"{label:<{width}}{i:>4}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


def plot_confusion(metrics: dict, path: str | os.PathLike) -> Path:
    """Save the confusion matrix as a PNG (row-normalised colours, counts in cells)."""
    matplotlib = require("matplotlib", "report")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(metrics["confusion_matrix"])
    labels = metrics["labels"]
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = 1.2 + 0.6 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            color="white" if share[i, j] > 0.5 else "black",
            fontsize=8,
        )
    fig.colorbar(image, ax=ax, label="share of true label")
    ax.set_title(f"accuracy {metrics['accuracy']:.4f}, macro-F1 {metrics['macro_f1']:.4f}")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
