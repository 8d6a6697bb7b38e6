"""Hyper-parameter search: which model settings fit a training set best, by cross-validation.

A grid is a JSON object mapping a parameter of :class:`~newscat.classifier.NewsClassifier`
to the list of values to try::

    {"C": [0.5, 1, 2], "ngram_range": [[1, 1], [1, 2]], "syllable_features": [false, true],
     "title_weight": [0, 1], "class_weight": [null, "balanced"]}

Every candidate is measured by stratified k-fold cross-validation (macro-F1, fixed
seed) with scikit-learn's successive halving (:class:`~sklearn.model_selection.
HalvingGridSearchCV`: candidates are tried on a growing share of the data, the
best third going on each round) or an exhaustive grid search
(:class:`~sklearn.model_selection.GridSearchCV`). Each text is segmented once before
the search, into the segmentation cache (a temporary one when caching is off), so
the folds only read it back.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, ParameterGrid, StratifiedKFold

from ..classifier.estimator import NewsClassifier
from ..errors import DataError
from ..runtime import current, use

__all__ = [
    "DEFAULT_GRID",
    "METHODS",
    "SEARCHABLE",
    "check_grid",
    "load_grid",
    "search_params",
    "tune",
    "write_search_json",
]

# Parameters a grid may set: what changes the features or the linear model.
SEARCHABLE = (
    "C",
    "alpha",
    "class_weight",
    "classifier",
    "max_df",
    "min_df",
    "neighbour_weight",
    "neighbours",
    "ngram_range",
    "sublinear_tf",
    "syllable_features",
    "title_weight",
    "vector_weight",
)
DEFAULT_GRID = {
    "C": [0.5, 1.0, 2.0],
    "ngram_range": [[1, 1], [1, 2]],
    "syllable_features": [False, True],
    "title_weight": [0, 1],
    "class_weight": [None, "balanced"],
}
METHODS = ("halving", "grid")


def check_grid(grid: object, model: NewsClassifier, where: str = "grid") -> dict[str, list]:
    """Return ``grid`` with its values ready for ``model`` or raise naming the bad entry.

    JSON lists become tuples for ``ngram_range``; every value is checked against the
    parameter's constraints. For a model whose segmenter is ``syllable``,
    ``syllable_features`` can only be false.

    Examples
    --------
    >>> model = NewsClassifier(segmenter="syllable")
    >>> check_grid({"C": [1, 2], "ngram_range": [[1, 2]]}, model)
    {'C': [1, 2], 'ngram_range': [(1, 2)]}
    >>> check_grid({"gamma": [1]}, model, "g.json")
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: g.json: unknown parameter 'gamma'; a grid may set C, alpha, \
class_weight, classifier, max_df, min_df, neighbour_weight, neighbours, ngram_range, \
sublinear_tf, syllable_features, title_weight, vector_weight
    >>> check_grid({"C": [1, -2]}, model, "g.json")
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: g.json: 'C' value -2: The 'C' parameter of NewsClassifier must ...
    """
    if not isinstance(grid, dict) or not grid:
        raise DataError(
            f"{where}: expected a JSON object mapping parameter names to lists of values, "
            'e.g. {"C": [0.5, 1, 2]}'
        )
    checked = {}
    for name, values in grid.items():
        if name not in SEARCHABLE:
            raise DataError(
                f"{where}: unknown parameter {name!r}; a grid may set {', '.join(SEARCHABLE)}"
            )
        if not isinstance(values, list) or not values:
            raise DataError(f"{where}: {name!r} must be a non-empty list of values, got {values!r}")
        if name == "ngram_range":
            values = [tuple(v) if isinstance(v, list) else v for v in values]
        for value in values:
            try:
                clone(model).set_params(**{name: value})._validate_params()
            except (TypeError, ValueError) as exc:
                raise DataError(f"{where}: {name!r} value {value!r}: {exc}") from None
            if name == "syllable_features" and value and model.segmenter == "syllable":
                raise DataError(
                    f"{where}: 'syllable_features' true needs a word segmenter, and this "
                    "model's segmenter is 'syllable'; use [false] or another segmenter"
                )
        checked[name] = values
    return checked


def load_grid(path: str | os.PathLike | None, model: NewsClassifier) -> dict[str, list]:
    """Read and check a grid file; :data:`DEFAULT_GRID` when ``path`` is None.

    With the default grid and a ``syllable`` segmenter, syllable features stay off.
    """
    if path is None:
        grid = dict(DEFAULT_GRID)
        if model.segmenter == "syllable":
            grid["syllable_features"] = [False]
        return check_grid(grid, model, "default grid")
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: no such grid file") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} line {exc.lineno}: invalid JSON: {exc.msg}") from None
    return check_grid(raw, model, str(path))


class _CountingScorer:
    """Macro-F1, ticking a progress bar once per fold measured."""

    def __init__(self, bar) -> None:
        self._score = get_scorer("f1_macro")
        self._bar = bar

    def __call__(self, estimator, X, y) -> float:
        score = self._score(estimator, X, y)
        self._bar.update(1)
        return score


def _searcher(method: str, model, grid, folds: int, seed: int, scorer):
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    common = {"cv": splitter, "scoring": scorer, "error_score": "raise", "refit": False}
    if method == "grid":
        return GridSearchCV(model, grid, **common)
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    return HalvingGridSearchCV(model, grid, random_state=seed, **common)


def _rows(results: dict) -> list[dict]:
    """One row per candidate measured, best rank first."""
    rows = []
    for i, params in enumerate(results["params"]):
        row = {
            "rank": int(results["rank_test_score"][i]),
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            "mean_macro_f1": round(float(results["mean_test_score"][i]), 4),
            "std_macro_f1": round(float(results["std_test_score"][i]), 4),
        }
        if "n_resources" in results:
            row["documents"] = int(results["n_resources"][i])
        rows.append(row)
    return sorted(rows, key=lambda row: (row["rank"], -row.get("documents", 0)))


def search_params(
    model: NewsClassifier,
    texts: list[str],
    labels: list[str],
    grid: dict[str, list],
    *,
    folds: int = 5,
    seed: int = 0,
    method: str = "halving",
    progress: bool = False,
) -> dict:
    """Cross-validate the settings of ``grid`` for ``model``; return the best and the table.

    ``grid`` is checked with :func:`check_grid`. The result holds ``best_params``
    (JSON-ready: lists for tuples), ``best_macro_f1``, ``method``, ``folds``, ``seed``,
    ``candidates`` and ``results``: one row per candidate measured (``rank``,
    ``params``, ``mean_macro_f1``, ``std_macro_f1``; with halving also ``documents``,
    the training share it was measured on), best first.

    Examples
    --------
    >>> texts = [f"mưa bão lớn {i}" for i in range(6)] + [f"bắt kẻ trộm {i}" for i in range(6)]
    >>> labels = ["weather"] * 6 + ["crime"] * 6
    >>> model = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0,
    ...                        calibration_cv=2)
    >>> found = search_params(model, texts, labels, {"C": [0.5, 2.0]}, folds=3, method="grid")
    >>> found["best_params"], found["best_macro_f1"], len(found["results"])
    ({'C': 0.5}, 1.0, 2)
    """
    from tqdm.auto import tqdm

    if method not in METHODS:
        raise ValueError(f"unknown search method {method!r}; expected one of: {', '.join(METHODS)}")
    grid = check_grid(grid, model)
    candidates = len(ParameterGrid(grid))
    with tempfile.TemporaryDirectory(prefix="newscat-search-") as scratch:
        cache_dir = scratch if current().cache_dir is False else current().cache_dir
        model = clone(model)
        with use(cache_dir=cache_dir):
            for weight in grid.get("title_weight", [model.title_weight]):  # fill the cache once
                model.set_params(title_weight=weight)._clean_normalise_segment(
                    texts, clean=False, progress=progress
                )
        total = candidates * folds if method == "grid" else None
        with (
            use(cache_dir=cache_dir, progress=False),
            tqdm(total=total, desc="searching", unit="fold", disable=not progress) as bar,
        ):
            searcher = _searcher(method, model, grid, folds, seed, _CountingScorer(bar))
            searcher.fit(texts, np.asarray(labels, dtype=object))
    rows = _rows(searcher.cv_results_)
    best = searcher.best_params_
    return {
        "method": method,
        "folds": folds,
        "seed": seed,
        "candidates": candidates,
        "best_params": {k: list(v) if isinstance(v, tuple) else v for k, v in best.items()},
        "best_macro_f1": round(float(searcher.best_score_), 4),
        "results": rows,
    }


def tune(
    model: NewsClassifier,
    texts: list[str],
    labels: list[str],
    *,
    grid: str | os.PathLike | None = None,
    method: str = "halving",
    folds: int = 5,
    seed: int = 0,
    progress: bool = False,
) -> dict:
    """Search the grid file ``grid`` (None: :data:`DEFAULT_GRID`) and set the best
    setting on ``model``; return :func:`search_params`' result, with ``grid``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "grid.json"
    >>> _ = path.write_text('{"ngram_range": [[1, 1], [2, 2]]}', encoding="utf-8")
    >>> texts = [f"mưa bão {i}" for i in range(6)] + [f"bắt trộm {i}" for i in range(6)]
    >>> model = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0,
    ...                        calibration_cv=2)
    >>> found = tune(model, texts, ["weather"] * 6 + ["crime"] * 6, grid=path, folds=3,
    ...              method="grid")
    >>> found["best_params"], model.ngram_range
    ({'ngram_range': [1, 1]}, (1, 1))
    """
    values = load_grid(grid, model)
    found = search_params(
        model, texts, labels, values, folds=folds, seed=seed, method=method, progress=progress
    )
    best = check_grid({k: [v] for k, v in found["best_params"].items()}, model)
    model.set_params(**{name: values[0] for name, values in best.items()})
    return {"grid": os.fspath(grid) if grid is not None else "default", **found}


def write_search_json(folder: str | os.PathLike, found: dict) -> Path:
    """Write the search result as ``search.json`` in the model folder ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> write_search_json(tempfile.mkdtemp(), {"best_params": {"C": 1.0}}).name
    'search.json'
    """
    path = Path(folder) / "search.json"
    path.write_text(json.dumps(found, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
