"""Labels added to a recipe's data: the articles ``newscat review`` picked, labelled by a person.

``python train.py --recipe data/labor5.json --add to_label.jsonl --output models/mine``
reads the filled-in file with :func:`read_added`, trains on the recipe's data and
the added articles, and cross-validates twice on the same folds of both: once with
the added articles in the training folds and once without. The card records how
many were added and both results (:func:`added_summary`).

The recipe's own data is not in the package; :func:`missing_recipe_files` says
what is not at hand, and how to train anyway.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..readers.archive import iter_rows
from ..readers.labelled import LabelledData

__all__ = ["added_slices", "added_summary", "missing_recipe_files", "read_added"]


def missing_recipe_files(recipe) -> str | None:
    """One line saying which data files and word-vector pools of ``recipe`` are missing,
    or None when all are there.

    Examples
    --------
    >>> from newscat.training import Recipe
    >>> recipe = Recipe("demo", [{"path": "../shared/x.jsonl"}], {}, [], {}, source="r.json")
    >>> print(missing_recipe_files(recipe))  # doctest: +ELLIPSIS
    r.json: its data is not here: ../shared/x.jsonl; the recipe's text is kept outside ...
    """
    if recipe.source is None:  # data given on the command line: the reader names it
        return None
    data = [os.path.normpath(e["path"]) for e in recipe.data if not Path(e["path"]).exists()]
    pools = [
        os.path.normpath(e["path"])
        for e in (recipe.word_vectors or {}).get("pools", [])
        if not Path(e["path"]).exists()
    ]
    if not data and not pools:
        return None
    where = recipe.source or f"recipe {recipe.name!r}"
    what = ", ".join(data + [f"{path} (word-vector pool)" for path in pools])
    hints = []
    if data:
        hints.append("give your own labelled articles as the base set with --data FILE...")
    if pools:
        hints.append("its word vectors are learnt from those pools")
    return (
        f"{where}: its data is not here: {what}; the recipe's text is kept outside the "
        "package: run from a checkout beside ../shared, or " + "; ".join(hints)
    )


def read_added(paths: Sequence[str | os.PathLike], known_labels: set[str]) -> LabelledData:
    """The labelled records of files written by ``newscat review`` and filled in by a person.

    A record whose ``label`` is empty is left out and listed in
    :attr:`~newscat.readers.LabelledData.skipped` (``FILE line N (id X)``); a label
    outside ``known_labels``, a record without text and an id given twice raise
    :class:`~newscat.errors.DataError` naming the line; so does a file with no
    label filled in at all.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "to_label.jsonl"
    >>> rows = ['{"id": "a", "text": "Mưa lớn", "label": "weather"}',
    ...         '{"id": "b", "text": "Bão", "label": ""}']
    >>> _ = path.write_text("\\n".join(rows), encoding="utf-8")
    >>> added = read_added([path], {"weather", "crime"})
    >>> added.ids, [s.rsplit("/", 1)[-1] for s in added.skipped]
    (['a'], ['to_label.jsonl line 2 (id b)'])
    """
    added = LabelledData()
    first_seen: dict[str, str] = {}
    for path in paths:
        for where, row in iter_rows(path):
            id_ = str(row.get("id") or where)
            if id_ in first_seen:
                raise DataError(f"{where}: id {id_!r} is also at {first_seen[id_]}")
            first_seen[id_] = where
            label = str(row.get("label") or "").strip()
            if not label:
                added.skipped.append(f"{where} (id {id_})")
                continue
            if label not in known_labels:
                raise DataError(
                    f"{where} (id {id_}): unknown label {label!r}; "
                    f"expected one of: {', '.join(sorted(known_labels))}"
                )
            text = row.get("text")
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{where} (id {id_}): no text")
            added.add(text, label, id_, where)
    if not added:
        raise DataError(
            f"{', '.join(map(os.fspath, paths))}: no record has a label yet; fill in each "
            f"'label' with one of: {', '.join(sorted(known_labels))}"
        )
    return added


def added_slices(base: int, added: int) -> dict[str, np.ndarray]:
    """Masks of the recipe's articles and the added ones, in that order.

    Examples
    --------
    >>> {k: v.tolist() for k, v in added_slices(2, 1).items()}
    {'recipe data': [True, True, False], 'added': [False, False, True]}
    """
    is_base = np.r_[np.ones(base, dtype=bool), np.zeros(added, dtype=bool)]
    return {"recipe data": is_base, "added": ~is_base}


def added_summary(
    paths: Sequence[str | os.PathLike],
    added: LabelledData,
    before: dict | None,
    after: dict | None,
) -> dict:
    """What the card says about the added articles: files, counts and macro-F1 before and
    after, overall and per slice (``before``/``after``: cross-validation results, None
    without cross-validation).

    Examples
    --------
    >>> added = LabelledData()
    >>> added.add("Mưa lớn", "weather", "a", "to_label.jsonl line 1")
    >>> cv = {"macro_f1": 0.8, "slices": {"recipe data": {"macro_f1": 0.9},
    ...                                   "added": {"macro_f1": 0.5}}}
    >>> added_summary(["to_label.jsonl"], added, cv, cv)["macro_f1"]["added"]
    [0.5, 0.5]
    """
    summary = {
        "files": [os.fspath(path) for path in paths],
        "n_documents": len(added),
        "label_counts": dict(sorted(Counter(added.labels).items())),
        "unlabelled": {"count": len(added.skipped), "first": added.skipped[:5]},
    }
    if before is None or after is None:
        return summary
    summary["macro_f1"] = {"all": [before["macro_f1"], after["macro_f1"]]}
    for name in ("recipe data", "added"):
        summary["macro_f1"][name] = [
            before["slices"][name]["macro_f1"],
            after["slices"][name]["macro_f1"],
        ]
    return summary
