"""Training runs: read data (from arguments or a recipe), fit, cross-validate, save.

A recipe is a JSON file kept under ``data/`` that fully describes how a shipped
model is made, so that ``python train.py --recipe data/labor5.json`` re-creates it::

    {
      "name": "labor5",
      "data": [{"path": "../../shared/data/labor5/train.jsonl"}],
      "extra_training_data": [...],      # optional weakly labelled text, see below
      "params": {"segmenter": "dictionary", "C": 0.5},
      "label_names": {"weather": "Thời tiết"},
      "cross_validation": {"folds": 5, "seed": 0},
      "description": "...", "limitations": ["..."]
    }

Paths are relative to the recipe file. ``extra_training_data`` entries map another
corpus' categories to labels (``{"path": ..., "label_field": "category",
"label_map": {"the thao": "events"}, "limit": 500, "seed": 0}``); such text is added
to the training folds only, never to the folds a model is measured on. Records that
are also in the hand-labelled data are left out; ``"id_prefix": "vntc/"`` says how
that corpus' ids are written there (``train/XH_1`` there is ``vntc/train/XH_1``).
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from .classifier import NewsClassifier
from .errors import DataError
from .evaluation import compute_metrics
from .persistence import check_output, save_model
from .readers import LabelledData, read_labelled

__all__ = ["Recipe", "load_recipe", "cross_validate", "train_model"]


@dataclass
class Recipe:
    """What a training run uses; built from a recipe file or from arguments."""

    name: str
    data: list[dict]
    params: dict
    extra_training_data: list[dict]
    label_names: dict
    cv_folds: int = 0
    cv_seed: int = 0
    description: str = ""
    limitations: list[str] | None = None
    source: str | None = None

    def model(self, **overrides) -> NewsClassifier:
        """The (unfitted) classifier the recipe describes, with ``overrides`` applied.

        Parameters are checked here, before any data is read.

        Examples
        --------
        >>> Recipe("demo", [], {"ngram_range": [1, 2]}, [], {}).model(C=2.0).ngram_range
        (1, 2)
        >>> Recipe("demo", [], {"C": -1}, [], {}, source="r.json").model()
        Traceback (most recent call last):
        ...
        newscat.errors.DataError: r.json: The 'C' parameter of NewsClassifier must be ...
        """
        params = {**self.params, **overrides}
        if "ngram_range" in params:  # a JSON list in a recipe file
            params["ngram_range"] = tuple(params["ngram_range"])
        where = self.source or f"recipe {self.name!r}"
        try:
            model = NewsClassifier(label_names=self.label_names or None, **params)
            model._validate_params()  # scikit-learn's check of _parameter_constraints
        except (TypeError, ValueError) as exc:  # an unknown name, a value out of range
            raise DataError(f"{where}: {exc}") from None
        return model


def load_recipe(path: str | os.PathLike) -> Recipe:
    """Read a recipe file; data paths become relative to the current directory."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: no such recipe file") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} line {exc.lineno}: invalid JSON: {exc.msg}") from None
    if "data" not in raw:
        raise DataError(f"{path}: missing field 'data' (a list of {{'path': ...}})")

    def resolve(entries: list[dict]) -> list[dict]:
        return [{**entry, "path": str(path.parent / entry["path"])} for entry in entries]

    cv = raw.get("cross_validation", {})
    folds = cv.get("folds", 0)
    if not isinstance(folds, int) or folds == 1 or folds < 0:
        raise DataError(f"{path}: cross_validation folds must be 0 (none) or 2 or more: {folds!r}")
    return Recipe(
        name=raw.get("name", path.stem),
        data=resolve(raw["data"]),
        params=raw.get("params", {}),
        extra_training_data=resolve(raw.get("extra_training_data", [])),
        label_names=raw.get("label_names", {}),
        cv_folds=folds,
        cv_seed=cv.get("seed", 0),
        description=raw.get("description", ""),
        limitations=raw.get("limitations"),
        source=str(path),
    )


def _read_entry(entry: dict) -> LabelledData:
    keys = ("text_field", "label_field", "id_field", "skip_empty")
    fields = {k: entry[k] for k in keys if k in entry}
    return read_labelled([entry["path"]], **fields)


def _read_extra(entry: dict, known_ids: set[str]) -> LabelledData:
    """Weakly labelled text: categories mapped to labels, sampled with a fixed seed.

    Records whose id, after ``id_prefix``, is among ``known_ids`` (the hand-labelled
    data) are left out, so that no article is both measured and trained on.
    """
    data = _read_entry(entry)
    mapping = entry.get("label_map", {})
    prefix = entry.get("id_prefix", "")
    kept = [
        i
        for i, (label, id_) in enumerate(zip(data.labels, data.ids))
        if label in mapping and prefix + id_ not in known_ids
    ]
    rng = random.Random(entry.get("seed", 0))
    if entry.get("limit") and len(kept) > entry["limit"]:
        kept = sorted(rng.sample(kept, entry["limit"]))
    extra = LabelledData()
    for i in kept:
        extra.add(data.texts[i], mapping[data.labels[i]], data.ids[i], data.sources[i])
    return extra


def cross_validate(
    model: NewsClassifier,
    data: LabelledData,
    *,
    folds: int = 5,
    seed: int = 0,
    extra: LabelledData | None = None,
) -> dict:
    """Stratified k-fold metrics of out-of-fold predictions (``extra`` joins training folds).

    Besides :func:`~newscat.evaluation.compute_metrics`, the result says how many
    predictions were flagged uncertain and how accurate the flagged and unflagged
    ones were.

    Examples
    --------
    >>> data = LabelledData()
    >>> for i in range(6):
    ...     data.add(f"mưa bão lớn {i}", "weather", str(i), "-")
    ...     data.add(f"bắt kẻ trộm {i}", "crime", str(i), "-")
    >>> model = NewsClassifier(segmenter="syllable", cache_dir=False, min_df=1, max_df=1.0)
    >>> cross_validate(model, data, folds=3)["accuracy"]
    1.0
    """
    labels = np.asarray(data.labels, dtype=object)
    texts = np.asarray(data.texts, dtype=object)
    predicted = np.empty(len(labels), dtype=object)
    uncertain = np.zeros(len(labels), dtype=bool)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(texts, labels):
        train_texts, train_labels = list(texts[train_idx]), list(labels[train_idx])
        if extra is not None:
            train_texts += extra.texts
            train_labels += extra.labels
        fitted = clone(model).fit(train_texts, train_labels)
        results = fitted.classify_many(list(texts[test_idx]))
        predicted[test_idx] = [result.label for result in results]
        uncertain[test_idx] = [result.uncertain for result in results]
    metrics = compute_metrics(labels, predicted)
    correct = predicted == labels
    metrics["uncertain"] = {
        "share": float(uncertain.mean()),
        "accuracy_when_certain": float(correct[~uncertain].mean()) if (~uncertain).any() else None,
        "accuracy_when_uncertain": float(correct[uncertain].mean()) if uncertain.any() else None,
    }
    return metrics


def train_model(
    recipe: Recipe,
    output: str | os.PathLike,
    *,
    runtime: dict | None = None,
    overwrite: bool = False,
) -> dict:
    """Train, optionally cross-validate, and save a model; return a summary of the run.

    ``runtime`` holds machine settings (``cache_dir``, ``n_jobs``, ``progress``) that
    do not change the model. A model already at ``output`` is replaced only with
    ``overwrite=True``; this is checked before training starts.
    """
    start = time.perf_counter()
    check_output(output, overwrite)
    model = recipe.model(**(runtime or {}))  # checks the parameters before reading data
    data = LabelledData()
    for entry in recipe.data:
        data.extend(_read_entry(entry))
    extra = LabelledData()
    for entry in recipe.extra_training_data:
        extra.extend(_read_extra(entry, set(data.ids)))
    metrics = {}
    if recipe.cv_folds:
        result = cross_validate(
            model, data, folds=recipe.cv_folds, seed=recipe.cv_seed, extra=extra or None
        )
        result["description"] = (
            f"{recipe.cv_folds}-fold stratified cross-validation on the training data "
            f"(seed {recipe.cv_seed}), out-of-fold predictions"
        )
        metrics[f"cross_validation_{recipe.cv_folds}_fold"] = result
    fit_start = time.perf_counter()
    model.fit(data.texts + extra.texts, data.labels + extra.labels)
    fit_seconds = time.perf_counter() - fit_start
    training_data = data.summary()
    training_data["sources"] = [os.path.normpath(entry["path"]) for entry in recipe.data]
    if extra:
        training_data["extra_training_data"] = extra.summary()
    if recipe.source:
        training_data["recipe"] = os.path.normpath(recipe.source)
    save_model(
        model,
        output,
        overwrite=overwrite,
        name=recipe.name,
        training_data=training_data,
        metrics=metrics,
        description=recipe.description,
        limitations=recipe.limitations,
    )
    vocabulary = len(model.pipeline_.named_steps["tfidf"].vocabulary_)
    return {
        "output": str(output),
        "documents": len(data),
        "extra_documents": len(extra),
        "labels": training_data["label_counts"],
        "vocabulary": vocabulary,
        "seconds": round(time.perf_counter() - start, 1),
        "fit_seconds": round(fit_seconds, 1),
        "metrics": metrics,
    }
