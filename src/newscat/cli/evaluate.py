"""``newscat evaluate``: measure a model on labelled articles."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..classifier.shipped import load
from ..readers.labelled import read_labelled
from ..scoring.model import model_name_version
from ..scoring.texts import classify_all
from ..training.evaluation import (
    compute_metrics,
    format_report,
    plot_confusion,
    unknown_labels,
    write_errors,
)
from ..training.report import evaluation_report, measure_slices, slices_of_fields
from .options import add_data_fields, int_at_least

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="measure a model on labelled articles",
        description="Print accuracy, macro/weighted F1, per-class scores and the confusion matrix.",
    )
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--data", nargs="+", required=True, help="labelled data files or folders")
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.add_argument(
        "--report", help="folder for index.html (open it in a browser), metrics.json and PNGs"
    )
    p.add_argument("--no-clean", action="store_true", help="do not clean pages first")
    p.add_argument("--errors", help="JSONL file for each misclassified article")
    p.add_argument(
        "--slice-field",
        action="append",
        default=[],
        metavar="FIELD",
        help="also measure each value of this data field (dates by year); repeatable",
    )
    p.add_argument(
        "--jobs", type=int_at_least(1), default=1, help="labelling processes (default 1)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_data_fields(p)
    p.set_defaults(func=run)


def run(args) -> int:
    model = load(args.model)
    data = read_labelled(args.data, text_field=args.text_field, label_field=args.label_field)
    slices = slices_of_fields(args.data, data.sources, args.slice_field)
    unknown = unknown_labels(data.labels, model.classes_)
    if unknown:
        listed = ", ".join(
            f"{label!r} in {n} article{'' if n == 1 else 's'}" for label, n in unknown.items()
        )
        known = ", ".join(repr(str(label)) for label in model.classes_)
        print(
            f"newscat: warning: the data has label(s) the model cannot give, so their "
            f"articles all count as wrong: {listed}; the model's labels: {known}",
            file=sys.stderr,
        )
    clean = False if args.no_clean else None
    results = classify_all(
        model, data.texts, jobs=args.jobs, clean=clean, progress=not args.no_progress
    )
    predicted = [result.label for result in results]
    metrics = compute_metrics(data.labels, predicted)
    if unknown:
        metrics["labels_unknown_to_model"] = unknown
    if slices:
        uncertain = [result.uncertain for result in results]
        metrics["slices"] = measure_slices(data.labels, predicted, slices, uncertain)
    if args.errors:
        scores = [result.score for result in results]
        write_errors(args.errors, data.ids, data.texts, data.labels, predicted, scores)
    if args.report:
        folder = Path(args.report)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        plot_confusion(metrics, folder / "confusion_matrix.png")
        name, version = model_name_version(model)
        note = f"model {name} {version}; data {', '.join(args.data)}"
        evaluation_report(folder, model, data, results, slices=slices, clean=clean, note=note)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False))
    else:
        print(format_report(metrics))
        if args.report:
            print(f"\nreport written to {args.report}")
    return 0
