"""An evaluation report to open in a browser: one self-contained ``index.html``.

:func:`write_report` writes ``FOLDER/index.html`` with everything inline (CSS, charts
as base64 PNG images; no script, no network):

- accuracy, macro- and weighted-F1, and the per-class precision, recall, F1 and
  support;
- the confusion matrix, as counts and normalised by row (share of each true label);
- a reliability diagram: the top score of each prediction, in bins, against how
  often such predictions are right;
- accuracy against the share flagged: flagging the lowest-scoring predictions for a
  person, how accurate the others are (the trade-off of the uncertain flag), with
  the model's own flag marked;
- metrics per slice (e.g. per source, per year of the ``date`` field; see
  :func:`field_slices`);
- the misclassified articles, most confident first, each with the terms behind the
  predicted and the right label (:mod:`newscat.classifier.explanation`);
- the terms that weigh most for each class.

Charts need matplotlib (``pip install "newscat[report]"``).
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..classifier.estimator import NewsClassifier
from ..classifier.explanation import Explanation, class_terms, explain_many
from ..classifier.prediction import Prediction
from ..errors import DataError
from ..extras import require
from ..readers.archive import iter_rows
from .evaluation import ERROR_TEXT_CHARS, compute_metrics, slice_metrics, uncertainty_summary

__all__ = [
    "MISTAKES_SHOWN",
    "evaluation_report",
    "explain_mistakes",
    "field_slices",
    "field_values",
    "measure_slices",
    "reliability",
    "slices_of_fields",
    "write_report",
]

# How many misclassified articles the report shows (the most confident first).
MISTAKES_SHOWN = 100
TERMS_SHOWN = 5  # per side, for each misclassified article
_DATE = re.compile(r"(\d{4})-\d{2}")


def field_slices(field: str, values: Sequence[object]) -> dict[str, np.ndarray]:
    """Boolean masks of the rows with each value of a data field, named ``field=value``.

    Values that look like dates (``2025-08-09``, ``2025-08-09T10:00``) are grouped by
    year; a missing value is ``(none)``.

    Examples
    --------
    >>> masks = field_slices("date", ["2025-08-09", "2026-01-02", None, "2025-12-31"])
    >>> {name: mask.tolist() for name, mask in masks.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'date=(none)': [False, False, True, False],
     'date=2025': [True, False, False, True],
     'date=2026': [False, True, False, False]}
    """
    keys = []
    for value in values:
        text = "(none)" if value is None or value == "" else str(value)
        match = _DATE.match(text)
        keys.append(match.group(1) if match else text)
    keys_array = np.asarray(keys, dtype=object)
    return {f"{field}={key}": keys_array == key for key in sorted(set(keys))}


def field_values(
    paths: Sequence[str | os.PathLike], sources: Sequence[str], field: str
) -> list[object]:
    """The value of ``field`` in the record each source (``FILE line N``) names.

    Raises
    ------
    DataError
        An input is a folder of ``.txt`` files (no fields), or no record has ``field``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = path.write_text('{"text": "Mưa", "date": "2025-08-09"}\\n{"text": "Bão"}\\n')
    >>> field_values([path], [f"{path} line 2", f"{path} line 1"], "date")
    [None, '2025-08-09']
    """
    values: dict[str, object] = {}
    for path in paths:
        if Path(path).is_dir():
            raise DataError(
                f"{path}: a folder of .txt files has no field {field!r} to slice by; "
                "give JSONL or CSV data, or leave --slice-field out"
            )
        values.update((where, row.get(field)) for where, row in iter_rows(path))
    found = [values.get(source) for source in sources]
    if all(value is None for value in found):
        raise DataError(
            f"no record of {', '.join(map(str, paths))} has a field {field!r} to slice by"
        )
    return found


def reliability(scores: np.ndarray, correct: np.ndarray, bins: int = 10) -> dict:
    """Accuracy and mean score of the predictions in each score bin, and the
    expected calibration error (ECE: the bins' gaps weighted by their size).

    Examples
    --------
    >>> r = reliability(np.array([0.95, 0.9, 0.55, 0.6]), np.array([True, True, False, True]), 4)
    >>> r["counts"], r["accuracy"], round(r["ece"], 3)
    ([2, 2], [0.5, 1.0], 0.075)
    """
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, bins - 1)
    counts, accuracy, confidence = [], [], []
    ece = 0.0
    for b in range(bins):
        mask = which == b
        counts.append(int(mask.sum()))
        if mask.any():
            accuracy.append(float(correct[mask].mean()))
            confidence.append(float(scores[mask].mean()))
            ece += mask.mean() * abs(accuracy[-1] - confidence[-1])
        else:
            accuracy.append(None)
            confidence.append(None)
    nonempty = [c > 0 for c in counts]
    return {
        "edges": edges.tolist(),
        "counts": [c for c, keep in zip(counts, nonempty) if keep],
        "accuracy": [a for a, keep in zip(accuracy, nonempty) if keep],
        "confidence": [c for c, keep in zip(confidence, nonempty) if keep],
        "ece": float(ece),
    }


def explain_mistakes(
    model: NewsClassifier,
    texts: Sequence[str],
    y_true: Sequence[str],
    predictions: Sequence[Prediction],
    *,
    limit: int = MISTAKES_SHOWN,
    clean: bool | None = None,
    offset: Sequence[int] | None = None,
) -> dict[int, Explanation]:
    """Explanations of the ``limit`` most confident mistakes, by row number.

    Each explains the predicted label and the right one. ``offset`` maps the rows
    given to the row numbers returned (for the test rows of a cross-validation fold).
    """
    wrong = [
        i
        for i, (gold, p) in enumerate(zip(y_true, predictions))
        if p.label is not None and p.label != gold and gold in set(map(str, model.classes_))
    ]
    wrong = sorted(wrong, key=lambda i: -predictions[i].score)[:limit]
    explained = explain_many(
        model,
        [texts[i] for i in wrong],
        top=TERMS_SHOWN,
        labels=[[predictions[i].label, y_true[i]] for i in wrong],
        clean=clean,
    )
    rows = list(offset) if offset is not None else range(len(texts))
    return {rows[i]: e for i, e in zip(wrong, explained) if e is not None}


# ----------------------------------------------------------------- charts
def _pyplot():
    matplotlib = require("matplotlib", "report")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _image(fig, alt: str) -> str:
    """An <img> holding the figure as an inline base64 PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    _pyplot().close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _confusion_chart(metrics: dict) -> str:
    plt = _pyplot()
    matrix = np.asarray(metrics["confusion_matrix"])
    labels = metrics["labels"]
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = 2.5 + 0.55 * len(labels)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 1, size))
    panels = (
        (axes[0], matrix, "counts", "{:d}"),
        (axes[1], share, "share of the true label", "{:.2f}"),
    )
    for ax, values, title, fmt in panels:
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(title)
        for (i, j), value in np.ndenumerate(values):
            color = "white" if share[i, j] > 0.5 else "black"
            text = fmt.format(int(value) if fmt == "{:d}" else float(value))
            ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    fig.tight_layout()
    return _image(fig, "confusion matrix: counts and row-normalised shares")


def _reliability_chart(result: dict) -> str:
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.5, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    top.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    top.plot(result["confidence"], result["accuracy"], marker="o", label="model")
    top.set_ylabel("accuracy")
    top.set_title(f"reliability of the top score (ECE {result['ece']:.3f})")
    top.legend(loc="upper left")
    edges = result["edges"]
    bottom.hist(
        result["confidence"], bins=edges, weights=result["counts"], color="tab:blue", alpha=0.6
    )
    bottom.set_xlabel("top score")
    bottom.set_ylabel("predictions")
    bottom.set_xlim(0, 1)
    fig.tight_layout()
    return _image(fig, "reliability diagram of the top scores")


def _tradeoff(scores: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share flagged and accuracy of the rest when the lowest scores are flagged."""
    order = np.argsort(scores, kind="stable")
    right = correct[order].astype(float)
    n = len(right)
    kept_right = np.cumsum(right[::-1])[::-1]  # right answers among rows i.. n-1
    flagged = np.arange(n) / n
    accuracy = kept_right / (n - np.arange(n))
    return flagged, accuracy


def _tradeoff_chart(scores: np.ndarray, correct: np.ndarray, flags: dict) -> str:
    plt = _pyplot()
    flagged, accuracy = _tradeoff(scores, correct)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(flagged, accuracy, label="flagging the lowest top scores")
    if flags["accuracy_when_certain"] is not None:
        ax.scatter(
            [flags["share"]],
            [flags["accuracy_when_certain"]],
            color="tab:red",
            zorder=3,
            label="the model's uncertain flag",
        )
    ax.set_xlabel("share flagged for a person")
    ax.set_ylabel("accuracy of the rest")
    ax.set_xlim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return _image(fig, "accuracy of the unflagged predictions against the share flagged")


# ------------------------------------------------------------------- HTML
_CSS = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child, table.left td { text-align: left; }
.up { color: #0a7d32; } .down { color: #b3261e; } .muted { color: #777; }
.mistake { border-top: 1px solid #ccc; padding: 0.5em 0; }
.mistake p { margin: 0.3em 0; }
img { max-width: 100%; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], css: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css}"' if css else ""
    return f"<table{attribute}><tr>{head}</tr>{body}</table>"


def _summary(metrics: dict, flags: dict) -> str:
    def share(value):
        return "–" if value is None else f"{value:.4f}"

    return _table(
        [
            "documents",
            "accuracy",
            "macro-F1",
            "weighted-F1",
            "flagged uncertain",
            "accuracy unflagged",
            "accuracy flagged",
        ],
        [
            [
                metrics["n"],
                f"{metrics['accuracy']:.4f}",
                f"{metrics['macro_f1']:.4f}",
                f"{metrics['weighted_f1']:.4f}",
                f"{flags['share']:.1%}",
                share(flags["accuracy_when_certain"]),
                share(flags["accuracy_when_uncertain"]),
            ]
        ],
    )


def _per_class(metrics: dict) -> str:
    rows = [
        [_e(label), f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['f1']:.4f}", m["support"]]
        for label, m in metrics["per_class"].items()
    ]
    return _table(["label", "precision", "recall", "F1", "support"], rows)


def _slices(per_slice: dict) -> str:
    rows = [
        [
            _e(name),
            m["n"],
            f"{m['accuracy']:.4f}",
            f"{m['macro_f1']:.4f}",
            f"{m['uncertain']['share']:.1%}",
        ]
        for name, m in per_slice.items()
    ]
    return _table(["slice", "documents", "accuracy", "macro-F1", "flagged uncertain"], rows)


def _terms_list(title: str, explained) -> str:
    def terms(shown, css):
        return ", ".join(
            f'<span class="{css}">{_e(t.term)} {t.contribution:+.3f}</span>'
            f'<span class="muted"> {_e(t.kind)}</span>'
            for t in shown
        )

    return (
        f"<p><b>{_e(title)} {_e(explained.label)}</b>: decision {explained.decision:+.3f} = "
        f"intercept {explained.intercept:+.3f} + other terms {explained.other:+.3f} + "
        f"raised by {terms(explained.raised, 'up') or 'none'}; "
        f"lowered by {terms(explained.lowered, 'down') or 'none'}</p>"
    )


def _mistakes(
    order: list[int], ids, texts, y_true, predictions, explanations: Mapping[int, Explanation]
) -> str:
    parts = []
    for i in order:
        p = predictions[i]
        head = (
            f"<p><b>{_e(ids[i])}</b>: true <b>{_e(y_true[i])}</b>, predicted "
            f"<b>{_e(p.label)}</b> (score {p.score:.3f}"
            f"{', flagged uncertain' if p.uncertain else ''})</p>"
            f"<p>{_e(texts[i][:ERROR_TEXT_CHARS])}</p>"
        )
        explanation = explanations.get(i)
        terms = ""
        if explanation is not None:
            titles = ("predicted", "true")
            terms = (
                '<div class="terms">'
                + "".join(_terms_list(title, e) for title, e in zip(titles, explanation.labels))
                + "</div>"
            )
        parts.append(f'<div class="mistake">{head}{terms}</div>')
    return "".join(parts)


def _class_terms(terms: dict[str, list[tuple]]) -> str:
    def term(text: str, kind: str, coefficient: float) -> str:
        return f"{_e(text)} <span class='muted'>{coefficient:+.2f} {_e(kind)}</span>"

    rows = [[_e(label), ", ".join(term(*t) for t in best)] for label, best in terms.items()]
    return _table(["label", "TF-IDF terms with the largest coefficients"], rows, "left")


def write_report(
    folder: str | os.PathLike,
    *,
    ids: Sequence[str],
    texts: Sequence[str],
    y_true: Sequence[str],
    predictions: Sequence[Prediction],
    model: NewsClassifier,
    explanations: Mapping[int, Explanation] | None = None,
    slices: Mapping[str, np.ndarray] | None = None,
    title: str = "Evaluation report",
    note: str = "",
) -> Path:
    """Write ``folder/index.html``: the report described in the module docstring.

    Parameters
    ----------
    ids, texts, y_true, predictions :
        One entry per article: its id, text, right label and the model's prediction.
    model : NewsClassifier
        The model measured (or, for cross-validation, the final one): its terms of
        each class are listed.
    explanations : mapping or None
        Explanations of misclassified articles by row number
        (:func:`explain_mistakes`).
    slices : mapping or None
        Named boolean masks over the rows (:func:`field_slices`).
    title, note : str
        Heading of the page and a line under it (e.g. the data and model used).

    Returns
    -------
    Path
        The ``index.html`` written.
    """
    y_true = [str(y) for y in y_true]
    predicted = [p.label for p in predictions]
    metrics = compute_metrics(y_true, predicted)
    correct = np.array([p == y for p, y in zip(predicted, y_true)], dtype=bool)
    uncertain = np.array([p.uncertain for p in predictions], dtype=bool)
    scores = np.array([p.score for p in predictions], dtype=float)
    flags = uncertainty_summary(correct, uncertain)
    explanations = explanations or {}
    wrong = [i for i in range(len(y_true)) if not correct[i]]
    shown = sorted(wrong, key=lambda i: -scores[i])[:MISTAKES_SHOWN]
    sections = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="muted">{_e(note)}</p>' if note else "",
        "<h2>Summary</h2>",
        _summary(metrics, flags),
        "<h2>Per class</h2>",
        _per_class(metrics),
        "<h2>Confusion matrix</h2>",
        "<p>Rows: the true label; columns: the predicted one. Colours: share of the row.</p>",
        _confusion_chart(metrics),
        "<h2>Reliability of the scores</h2>",
        "<p>Predictions grouped by their top score: a calibrated model is right as often as "
        "its score says (on the diagonal).</p>",
        _reliability_chart(reliability(scores, correct)),
        "<h2>Accuracy against share flagged</h2>",
        "<p>Sending the predictions with the lowest top scores to a person: how accurate "
        "the rest are, for each share sent. The dot is the model's own uncertain flag "
        "(top score and margin thresholds).</p>",
        _tradeoff_chart(scores, correct, flags),
    ]
    if slices:
        per_slice = measure_slices(y_true, predicted, slices, uncertain)
        sections += ["<h2>Per slice</h2>", _slices(per_slice)]
    sections += [
        f"<h2>Misclassified articles ({len(wrong)})</h2>",
        f"<p>The {len(shown)} most confident mistakes, each with the terms that raised "
        "(green) and lowered (red) the predicted and the true label's decision values.</p>",
        _mistakes(shown, ids, texts, y_true, predictions, explanations),
        "<h2>Terms of each class</h2>",
        _class_terms(class_terms(model)),
    ]
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def slices_of_fields(
    paths: Sequence[str | os.PathLike], sources: Sequence[str], fields: Sequence[str]
) -> dict[str, np.ndarray]:
    """:func:`field_slices` of each of ``fields``, read with :func:`field_values`."""
    slices: dict[str, np.ndarray] = {}
    for name in fields:
        slices.update(field_slices(name, field_values(paths, sources, name)))
    return slices


def measure_slices(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    slices: Mapping[str, np.ndarray],
    uncertain: Sequence[bool],
) -> dict:
    """:func:`~newscat.training.evaluation.slice_metrics`, quiet about one-label slices.

    Examples
    --------
    >>> m = measure_slices(["a", "b"], ["a", "a"], {"x=1": np.array([True, False])}, [False] * 2)
    >>> m["x=1"]["accuracy"], m["x=1"]["uncertain"]["share"]
    (1.0, 0.0)
    """
    with warnings.catch_warnings():  # scikit-learn warns of a one-label confusion matrix
        warnings.filterwarnings("ignore", message="A single label was found")
        return slice_metrics(y_true, y_pred, dict(slices), uncertain)


def evaluation_report(
    folder: str | os.PathLike,
    model: NewsClassifier,
    data,
    predictions: Sequence[Prediction],
    *,
    slices: Mapping[str, np.ndarray] | None = None,
    clean: bool | None = None,
    note: str = "",
) -> Path:
    """The report of ``model`` on labelled ``data`` (:class:`~newscat.readers.LabelledData`):
    its mistakes explained by ``model`` itself."""
    explanations = explain_mistakes(model, data.texts, data.labels, predictions, clean=clean)
    return write_report(
        folder,
        ids=data.ids,
        texts=data.texts,
        y_true=data.labels,
        predictions=predictions,
        model=model,
        explanations=explanations,
        slices=slices,
        note=note,
    )
