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
        if result.get("slices"):
            lines += _slices_table(result["slices"], list(per_class))
    return lines


def _slices_table(slices: dict, labels: list[str]) -> list[str]:
    """One row per slice: size, accuracy, macro-F1, F1 of each label, uncertain flags."""
    header = ["slice", "documents", "accuracy", "macro-F1", *(f"F1 {x}" for x in labels)]
    header += ["flagged", "accuracy unflagged"]
    rows = []
    for name, m in slices.items():
        f1 = [f"{m['per_class'][x]['f1']:.3f}" if x in m["per_class"] else "" for x in labels]
        u = m.get("uncertain") or {}
        flagged = f"{100 * u['share']:.1f} %" if u else ""
        rows.append(
            [name, m["n"], f"{m['accuracy']:.4f}", f"{m['macro_f1']:.4f}", *f1, flagged]
            + [_percent(u.get("accuracy_when_certain")) if u else ""]
        )
    return ["By slice (out-of-fold predictions):", "", *_table(header, rows), ""]


def _search_section(found: dict) -> list[str]:
    """The settings tried by the parameter search, best first."""
    method = "successive halving" if found["method"] == "halving" else "grid search"
    lines = [
        "## Parameter search",
        "",
        f"{found['candidates']} settings of the {found['grid']} grid, by {method} with "
        f"{found['folds']}-fold stratified cross-validation (seed {found['seed']}, macro-F1); "
        f"the model uses the best: `{found['best_params']}`.",
        "",
    ]
    halving = any("documents" in row for row in found["results"])
    header = ["rank", "setting", "macro-F1", "std", *(["documents"] if halving else [])]
    rows = [
        [row["rank"], f"`{row['params']}`", f"{row['mean_macro_f1']:.4f}"]
        + [f"{row['std_macro_f1']:.4f}", *([row["documents"]] if halving else [])]
        for row in found["results"]
    ]
    return lines + _table(header, rows) + [""]


def _added_section(added: dict) -> list[str]:
    """How many labelled articles were added to the recipe's data, and what they changed."""
    files = ", ".join(f"`{path}`" for path in added["files"])
    counts = ", ".join(f"{label} {n}" for label, n in added["label_counts"].items())
    lines = [
        "## Added labels",
        "",
        f"{added['n_documents']} articles labelled by a person were added from {files} "
        f"({counts}); {added['unlabelled']['count']} records without a label were left out.",
        "",
    ]
    if "macro_f1" in added:
        rows = [[name, f"{a:.4f}", f"{b:.4f}"] for name, (a, b) in added["macro_f1"].items()]
        lines += [
            "Cross-validated macro-F1 on the same folds, without and with the added "
            "articles in the training folds:",
            "",
            *_table(["measured on", "before", "after"], rows),
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
    params = metadata["params"]
    margin = params.get("min_margin")
    closer = f" or the top two scores are within {margin}" if margin else ""
    lines += [
        f"Scores are calibrated; a result is flagged uncertain when its top score is below "
        f"{params.get('min_score')}{closer}.",
        "",
        "## Training",
        "",
    ]
    lines += [f"- segmenter: `{metadata['segmenter']}`"]
    for key in ("n_documents", "sources", "sha256", "recipe"):
        if key in data:
            lines += [f"- {key.replace('_', ' ')}: `{data[key]}`"]
    if metadata.get("word_vectors"):
        wv = metadata["word_vectors"]
        pools = ", ".join(f"`{p}`" for p in data.get("word_vector_pools", [])) or "unlabelled text"
        lines += [
            f"- word vectors: {wv['terms']:,} words x {wv['dimensions']} dimensions, learnt "
            f"from {pools} (PPMI + truncated SVD); each article's IDF-weighted mean vector "
            "joins its TF-IDF columns"
        ]
    if metadata.get("neighbours"):
        remembered, settings = metadata["neighbours"], metadata["params"]
        lines += [
            f"- neighbour votes: the article vectors of the {remembered['texts']:,} training "
            f"texts are kept (int8); each label's decision value gets "
            f"{settings['neighbour_weight']} x its similarity-weighted share among the "
            f"{settings['neighbours']} most similar of them"
        ]
    params = ", ".join(
        f"{k}={v!r}" for k, v in sorted(metadata["params"].items()) if k != "label_names"
    )
    lines += [f"- parameters: `{params}`"]
    versions = ", ".join(f"{k} {v}" for k, v in metadata["versions"].items())
    lines += [f"- versions: {versions}", ""]
    if data.get("added"):
        lines += _added_section(data["added"])
    if data.get("search"):
        lines += _search_section(data["search"])
    lines += _metrics_section(metadata.get("metrics") or {})
    if metadata.get("limitations"):
        lines += ["## Known limitations", ""] + [f"- {item}" for item in metadata["limitations"]]
        lines += [""]
    return "\n".join(lines)
