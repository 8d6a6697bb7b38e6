"""Model cards: a README.md generated from a model's metadata."""

from __future__ import annotations

__all__ = ["render_card"]


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _metrics_section(metrics: dict) -> list[str]:
    lines = ["## Metrics", ""]
    if not metrics:
        return lines + ["Not evaluated yet: run `python evaluate.py --model DIR --data FILE`.", ""]
    for setting, result in metrics.items():
        lines += [f"### {setting}", ""]
        if "description" in result:
            lines += [result["description"], ""]
        summary = [[k, f"{result[k]:.4f}"] for k in ("accuracy", "macro_f1", "weighted_f1")]
        lines += _table(["metric", "value"], [*summary, ["documents", result.get("n", "?")]])
        per_class = result.get("per_class", {})
        rows = [
            [label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", m["support"]]
            for label, m in per_class.items()
        ]
        lines += ["", *_table(["label", "precision", "recall", "F1", "support"], rows), ""]
        if "uncertain" in result:
            u = result["uncertain"]
            lines += [
                f"Flagged uncertain: {100 * u['share']:.1f} % of predictions; accuracy "
                f"{_percent(u['accuracy_when_certain'])} when not flagged, "
                f"{_percent(u['accuracy_when_uncertain'])} when flagged.",
                "",
            ]
    return lines


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def render_card(metadata: dict) -> str:
    """Return the model card for ``metadata`` as Markdown.

    Examples
    --------
    >>> card = render_card({"name": "demo", "labels": ["crime"], "label_names": {},
    ...                     "segmenter": "syllable", "params": {}, "versions": {}})
    >>> card.splitlines()[0]
    '# demo'
    """
    names = metadata.get("label_names") or {}
    data = metadata.get("training_data") or {}
    lines = [f"# {metadata['name']}", ""]
    if metadata.get("description"):
        lines += [metadata["description"], ""]
    lines += ["## Labels", ""]
    counts = data.get("label_counts", {})
    rows = [[label, names.get(label, ""), counts.get(label, "")] for label in metadata["labels"]]
    lines += _table(["label", "name", "training documents"], rows) + [""]
    lines += [
        f"Scores are calibrated; a result is flagged uncertain when its top score is below "
        f"{metadata['params'].get('min_score')} or the top two scores are within "
        f"{metadata['params'].get('min_margin')}.",
        "",
        "## Training",
        "",
    ]
    lines += [f"- segmenter: `{metadata['segmenter']}`"]
    for key in ("n_documents", "sources", "sha256", "recipe"):
        if key in data:
            lines += [f"- {key.replace('_', ' ')}: `{data[key]}`"]
    params = ", ".join(
        f"{k}={v!r}" for k, v in sorted(metadata["params"].items()) if k != "label_names"
    )
    lines += [f"- parameters: `{params}`"]
    versions = ", ".join(f"{k} {v}" for k, v in metadata["versions"].items())
    lines += [f"- versions: {versions}", ""]
    lines += _metrics_section(metadata.get("metrics") or {})
    if metadata.get("limitations"):
        lines += ["## Known limitations", ""] + [f"- {item}" for item in metadata["limitations"]]
        lines += [""]
    return "\n".join(lines)
