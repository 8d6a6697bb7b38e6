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

An optional ``"word_vectors"`` entry learns word vectors from unlabelled text first
(:func:`~newscat.classifier.word_vectors.learn_word_vectors`) and gives them to the model::

      "word_vectors": {"pools": [{"path": "../../shared/data/pool/rss_2025_26.jsonl.gz"}],
                       "dim": 150, "window": 5, "min_count": 5}

The pools are only read for their text (field ``text``); no label of theirs is used.
Paths are relative to the recipe file. ``extra_training_data`` entries map another
corpus' categories to labels (``{"path": ..., "label_field": "category",
"label_map": {"the thao": "events"}, "limit": 500, "seed": 0}``); such text is added
to the training folds only, never to the folds a model is measured on. Records that
are also in the hand-labelled data are left out; ``"id_prefix": "vntc/"`` says how
that corpus' ids are written there (``train/XH_1`` there is ``vntc/train/XH_1``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from ..classifier.estimator import NewsClassifier
from ..classifier.inputs import check_class_weight, check_label_names
from ..classifier.persistence import check_output, save_model
from ..classifier.word_vectors import (
    VECTOR_SETTINGS,
    WordVectors,
    check_vector_settings,
    learn_word_vectors,
)
from ..errors import DataError
from ..readers.archive import iter_rows
from ..readers.labelled import LabelledData, read_labelled
from ..runtime import current, use
from ..segmenters.registry import segment_texts
from ..text.normalize import normalize_text
from .evaluation import compute_metrics, slice_metrics, uncertainty_summary, write_errors

__all__ = [
    "Recipe",
    "load_recipe",
    "cross_validate",
    "data_slices",
    "POOL_BATCH",
    "SegmentedPool",
    "pool_word_vectors",
    "read_recipe_data",
    "train_model",
]

# Pool texts normalised and segmented at a time when word vectors are learnt.
POOL_BATCH = 50_000


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
    word_vectors: dict | None = None
    uncertainty: dict | None = None

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

    vectors = raw.get("word_vectors")
    if vectors is not None:
        try:
            check_vector_settings({k: vectors[k] for k in VECTOR_SETTINGS if k in vectors})
        except ValueError as exc:
            raise DataError(f"{path}: {exc}") from None
        vectors = {**vectors, "pools": resolve(vectors.get("pools", []))}

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
        word_vectors=vectors,
        uncertainty=cv.get("uncertainty"),
    )


def _read_entry(entry: dict) -> LabelledData:
    keys = ("text_field", "label_field", "id_field", "skip_empty")
    fields = {k: entry[k] for k in keys if k in entry}
    return read_labelled([entry["path"]], **fields)


def read_recipe_data(recipe: Recipe) -> LabelledData:
    """All hand-labelled data files of ``recipe``, in order."""
    data = LabelledData()
    for entry in recipe.data:
        data.extend(_read_entry(entry))
    return data


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


class SegmentedPool:
    """The texts of unlabelled pool files, normalised and segmented like training texts,
    read from the files again on each pass, :data:`POOL_BATCH` texts at a time through
    the segmentation cache: no pool is held in memory, however large.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pool.jsonl"
    >>> _ = path.write_text('{"text": "Mưa  lớn"}\\n{"text": "Bão"}\\n', encoding="utf-8")
    >>> list(SegmentedPool([path], "syllable"))
    ['Mưa lớn', 'Bão']
    """

    def __init__(self, paths: Sequence[str | os.PathLike], segmenter: str) -> None:
        self.paths = list(paths)
        self.segmenter = segmenter

    def __iter__(self) -> Iterator[str]:
        runtime = current()
        texts = (
            normalize_text(str(row.get("text") or ""))
            for path in self.paths
            for _, row in iter_rows(path)
        )
        while batch := list(islice(texts, POOL_BATCH)):
            yield from segment_texts(
                batch, self.segmenter, cache_dir=runtime.cache_dir, n_jobs=runtime.n_jobs
            )


def pool_word_vectors(settings: dict, segmenter: str) -> WordVectors:
    """Word vectors learnt from the unlabelled pools of a recipe's ``word_vectors`` entry.

    The pools are read twice (:class:`SegmentedPool`): the second pass finds their
    segmentation in the cache, unless the cache is off.
    """
    pools = settings.get("pools") or []
    if not pools:
        raise DataError("recipe 'word_vectors': 'pools' lists no file to learn vectors from")
    segmented = SegmentedPool([entry["path"] for entry in pools], segmenter)
    options = {k: settings[k] for k in VECTOR_SETTINGS if k in settings}
    return learn_word_vectors(segmented, **options, random_state=settings.get("seed", 0))


def cross_validate(
    model: NewsClassifier,
    data: LabelledData,
    *,
    folds: int = 5,
    seed: int = 0,
    extra: LabelledData | None = None,
    slices: dict | None = None,
    errors: str | os.PathLike | None = None,
    uncertainty: dict | None = None,
    collect: dict | None = None,
    fit_on: np.ndarray | None = None,
) -> dict:
    """Stratified k-fold metrics of out-of-fold predictions (``extra`` joins training folds).

    Besides :func:`~newscat.training.evaluation.compute_metrics`, the result says how many
    predictions were flagged uncertain and how accurate the flagged and unflagged
    ones were; with ``slices`` (name: boolean mask over ``data``) it holds the same
    for each slice under ``"slices"``. ``errors`` names a JSONL file for the
    misclassified articles (:func:`~newscat.training.evaluation.write_errors`). With
    ``uncertainty`` (``{"slice": NAME, "accuracy": 0.98}``) the thresholds of the
    uncertain flag are chosen on the out-of-fold scores (:func:`choose_thresholds`),
    reported under ``"thresholds"`` and used for the flags of the result. A
    ``collect`` dict receives the out-of-fold ``"predictions"`` and, by row number,
    ``"explanations"`` of the most confident mistakes of each fold by the fold's model
    (:func:`~newscat.report.explain_mistakes`), for a report. ``fit_on``
    (a boolean mask over ``data``) keeps the other articles out of the training
    folds; they are still predicted in their own fold.

    Examples
    --------
    >>> data = LabelledData()
    >>> for i in range(6):
    ...     data.add(f"mưa bão lớn {i}", "weather", str(i), "-")
    ...     data.add(f"bắt kẻ trộm {i}", "crime", str(i), "-")
    >>> model = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> cross_validate(model, data, folds=3)["accuracy"]
    1.0
    """
    labels = np.asarray(data.labels, dtype=object)
    texts = np.asarray(data.texts, dtype=object)
    predicted = np.empty(len(labels), dtype=object)
    top_two = np.zeros((len(labels), 2))
    uncertain = np.zeros(len(labels), dtype=bool)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(texts, labels):
        if fit_on is not None:
            train_idx = train_idx[fit_on[train_idx]]
        train_texts, train_labels = list(texts[train_idx]), list(labels[train_idx])
        if extra is not None:
            train_texts += extra.texts
            train_labels += extra.labels
        fitted = clone(model).fit(train_texts, train_labels)
        results = fitted.classify_many(list(texts[test_idx]))
        predicted[test_idx] = [result.label for result in results]
        if collect is not None:
            _collect_fold(collect, fitted, texts[test_idx], labels[test_idx], results, test_idx)
        uncertain[test_idx] = [result.uncertain for result in results]
        top_two[test_idx] = [
            [s for _, s in (result.top_k + [("", 0.0)] * 2)[:2]] for result in results
        ]
    metrics = compute_metrics(labels, predicted)
    if uncertainty:
        mask = (
            slices[uncertainty["slice"]] if "slice" in uncertainty else np.ones(len(labels), bool)
        )
        chosen = choose_thresholds(
            predicted[mask] == labels[mask], top_two[mask], uncertainty.get("accuracy", 0.98)
        )
        metrics["thresholds"] = {**chosen, "chosen_on": uncertainty.get("slice", "all")}
        uncertain = _flags(top_two, **chosen) | (predicted == None)  # noqa: E711
    metrics["uncertain"] = uncertainty_summary(predicted == labels, uncertain)
    if collect is not None:  # the flags of the thresholds chosen, if any
        collect["predictions"] = [
            dataclasses.replace(p, uncertain=bool(flag))
            for p, flag in zip(collect.pop("by_row"), uncertain)
        ]
    if slices:
        metrics["slices"] = slice_metrics(labels, predicted, slices, uncertain)
    if errors is not None:
        write_errors(errors, data.ids, data.texts, data.labels, predicted, top_two[:, 0])
    return metrics


def _collect_fold(collect: dict, fitted, texts, labels, results, rows) -> None:
    """Keep a fold's predictions by row, and its model's explanations of its mistakes."""
    from .report import explain_mistakes

    by_row = collect.setdefault("by_row", [None] * collect["size"])
    for row, result in zip(rows, results):
        by_row[row] = result
    explained = explain_mistakes(fitted, list(texts), list(labels), results, offset=rows)
    collect.setdefault("explanations", {}).update(explained)


def _flags(top_two: np.ndarray, min_score: float, min_margin: float) -> np.ndarray:
    """The uncertain flag of :meth:`NewsClassifier.classify` for rows of (top, second) scores."""
    return (top_two[:, 0] < min_score) | (top_two[:, 0] - top_two[:, 1] < min_margin)


def choose_thresholds(correct: np.ndarray, top_two: np.ndarray, accuracy: float) -> dict:
    """The uncertain-flag thresholds that flag the fewest predictions while those left
    unflagged are at least ``accuracy`` right; if none reach it, the most accurate.

    ``top_two`` holds the top and second score of each prediction. Thresholds are
    searched on a grid (score 0.30-0.95, margin 0.00-0.50, steps of 0.01).

    Examples
    --------
    >>> correct = np.array([True, True, False])
    >>> choose_thresholds(correct, np.array([[0.9, 0.1], [0.8, 0.2], [0.5, 0.4]]), 0.99)
    {'min_score': 0.3, 'min_margin': 0.1}
    """
    best, best_key = None, None
    for min_score in np.round(np.arange(0.30, 0.9501, 0.01), 2):
        for min_margin in np.round(np.arange(0.0, 0.5001, 0.01), 2):
            kept = ~_flags(top_two, min_score, min_margin)
            right = float(correct[kept].mean()) if kept.any() else 0.0
            # reaching the accuracy first, then fewest flagged, then highest accuracy
            key = (right >= accuracy, -float((~kept).mean()) if right >= accuracy else right)
            if best_key is None or key > best_key:
                best, best_key = (float(min_score), float(min_margin)), key
    return {"min_score": best[0], "min_margin": best[1]}


# Items up to this many characters are a headline and a lead, not an article.
SHORT_CHARS = 300


def data_slices(recipe: Recipe, data: LabelledData) -> dict[str, np.ndarray]:
    """Named subsets of a recipe's data for per-slice metrics.

    The era of each data file (its entry's ``"era"``, e.g. ``"2025-26"``), the length
    (at most :data:`SHORT_CHARS` characters or longer) and how an article was picked
    for labelling (its ``picked`` field: ``random`` or anything else, also none).

    Examples
    --------
    >>> data = LabelledData()
    >>> data.add("Mưa lớn", "weather", "1", "a.jsonl line 1")
    >>> data.add("x" * 400, "other", "2", "b.jsonl line 1")
    >>> recipe = Recipe("demo", [{"path": "a.jsonl", "era": "2025-26"}], {}, [], {})
    >>> {k: v.tolist() for k, v in data_slices(recipe, data).items() if v.any()}["era 2025-26"]
    [True, False]
    """
    picked: dict[str, str] = {}
    era = np.full(len(data), "", dtype=object)
    for entry in recipe.data:
        path = os.fspath(entry["path"])
        rows = iter_rows(path) if Path(path).is_file() else ()
        picked.update((where, str(row.get("picked") or "")) for where, row in rows)
        if "era" in entry:
            prefix = f"{path} line "
            era[[source.startswith(prefix) for source in data.sources]] = entry["era"]
    random = np.array([picked.get(source) == "random" for source in data.sources], dtype=bool)
    short = np.array([len(text) <= SHORT_CHARS for text in data.texts], dtype=bool)
    slices = {}
    for name in sorted(set(era) - {""}):
        slices[f"era {name}"] = era == name
        slices[f"era {name}, picked at random"] = (era == name) & random
    slices[f"up to {SHORT_CHARS} characters"] = short
    slices[f"over {SHORT_CHARS} characters"] = ~short
    slices["picked at random"] = random
    slices["picked otherwise"] = ~random
    return slices


def train_model(
    recipe: Recipe,
    output: str | os.PathLike,
    *,
    runtime: dict | None = None,
    overwrite: bool = False,
    errors: str | os.PathLike | None = None,
    report: str | os.PathLike | None = None,
    search: dict | None = None,
    add: Sequence[str | os.PathLike] = (),
) -> dict:
    """Train, optionally cross-validate, and save a model; return a summary of the run.

    ``runtime`` holds machine settings (``cache_dir``, ``n_jobs``, ``progress``) that
    do not change the model; they hold for the run (:func:`newscat.runtime.use`). A
    model already at ``output`` is replaced only with ``overwrite=True``; this is
    checked before training starts. ``errors`` names a JSONL file for the articles
    that cross-validation got wrong, ``report`` a folder for the HTML report of the
    out-of-fold predictions (:mod:`newscat.training.report`). ``search``
    (``{"grid": path or None, "method": "halving" or "grid"}``) first searches the
    model settings on the hand-labelled data (:func:`newscat.training.search.tune`)
    and trains the best; its table goes into the card and ``search.json`` in the
    model folder. ``add`` lists files of articles labelled by a person
    (:mod:`newscat.training.additions`): they join the data, and cross-validation
    runs again on the same folds with them left out of the training folds, for the
    card's before/after.
    """
    start = time.perf_counter()
    check_output(output, overwrite)
    with use(**(runtime or {})):
        return _train(
            recipe,
            output,
            overwrite=overwrite,
            errors=errors,
            report=report,
            search=search,
            add=add,
            start=start,
        )


def _train(
    recipe: Recipe,
    output: str | os.PathLike,
    *,
    overwrite: bool,
    errors,
    report,
    search: dict | None,
    add: Sequence[str | os.PathLike],
    start: float,
) -> dict:
    from .additions import added_slices, added_summary, missing_recipe_files, read_added

    model = recipe.model()  # checks the parameters before reading data
    missing = missing_recipe_files(recipe)
    if missing:
        raise DataError(missing)
    data = read_recipe_data(recipe)
    base_size, added = len(data), None
    if add:
        added = read_added(add, set(data.labels) | set(recipe.label_names))
        data.extend(added)
    extra = LabelledData()
    for entry in recipe.extra_training_data:
        extra.extend(_read_extra(entry, set(data.ids)))
    labels = sorted(set(data.labels) | set(extra.labels))
    try:
        check_label_names(recipe.label_names, labels)
        check_class_weight(model.class_weight, labels)
    except DataError as exc:
        raise DataError(f"{recipe.source or recipe.name}: {exc}") from None
    if recipe.word_vectors is not None:
        vectors_start = time.perf_counter()
        model.word_vectors = pool_word_vectors(recipe.word_vectors, model.segmenter)
        vectors_seconds = time.perf_counter() - vectors_start
    found = None
    if search is not None:
        from .search import tune

        progress = current().progress
        folds = recipe.cv_folds or 5
        found = tune(
            model,
            data.texts,
            data.labels,
            folds=folds,
            seed=recipe.cv_seed,
            progress=progress,
            **search,
        )
    metrics = {}
    collect = {"size": len(data)} if report is not None else None
    slices = data_slices(recipe, data)
    if recipe.cv_folds:
        if added:
            slices |= added_slices(base_size, len(added))
        settings = {
            "folds": recipe.cv_folds,
            "seed": recipe.cv_seed,
            "extra": extra or None,
            "slices": slices,
            "uncertainty": recipe.uncertainty,
        }
        if added:
            before = cross_validate(model, data, fit_on=slices["recipe data"], **settings)
            before["description"] = (
                f"The same {recipe.cv_folds} folds, the added articles left out of the training "
                "folds (still measured): the recipe's model before the added labels"
            )
        result = cross_validate(model, data, errors=errors, collect=collect, **settings)
        if "thresholds" in result:
            model.set_params(
                min_score=result["thresholds"]["min_score"],
                min_margin=result["thresholds"]["min_margin"],
            )
        result["description"] = (
            f"{recipe.cv_folds}-fold stratified cross-validation on the training data "
            f"(seed {recipe.cv_seed}), out-of-fold predictions"
        )
        metrics[f"cross_validation_{recipe.cv_folds}_fold"] = result
        if added:
            metrics[f"cross_validation_{recipe.cv_folds}_fold_without_added"] = before
    fit_start = time.perf_counter()
    model.fit(data.texts + extra.texts, data.labels + extra.labels)
    fit_seconds = time.perf_counter() - fit_start
    training_data = data.summary()
    training_data["sources"] = [os.path.normpath(entry["path"]) for entry in recipe.data]
    if extra:
        training_data["extra_training_data"] = extra.summary()
    if recipe.source:
        training_data["recipe"] = os.path.normpath(recipe.source)
    if recipe.word_vectors is not None:
        pools = [os.path.normpath(entry["path"]) for entry in recipe.word_vectors["pools"]]
        training_data["word_vector_pools"] = pools
    if found is not None:
        training_data["search"] = found
    if added:
        cv = (before, result) if recipe.cv_folds else (None, None)
        training_data["added"] = added_summary(add, added, *cv)
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
    if collect is not None and "predictions" in collect:
        from .report import write_report

        write_report(
            report,
            ids=data.ids,
            texts=data.texts,
            y_true=data.labels,
            predictions=collect["predictions"],
            model=model,
            explanations=collect.get("explanations"),
            slices=slices,
            title=f"Cross-validation report: {recipe.name}",
            note=result["description"] + "; mistakes explained by the model of their fold; "
            "terms of each class from the final model",
        )
    if found is not None:
        from .search import write_search_json

        write_search_json(output, found)
    vocabulary = len(model.tfidf_.vocabulary_)
    return {
        "output": str(output),
        "documents": len(data),
        "extra_documents": len(extra),
        "labels": training_data["label_counts"],
        "vocabulary": vocabulary,
        "seconds": round(time.perf_counter() - start, 1),
        "fit_seconds": round(fit_seconds, 1),
        "word_vector_seconds": round(vectors_seconds, 1) if recipe.word_vectors else None,
        "metrics": metrics,
        "search": found,
        "added": training_data.get("added"),
    }
