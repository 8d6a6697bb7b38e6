"""Saving and loading models as directories that cannot run code when loaded.

A saved model is a folder::

    model/
      model.skops         the linear model and the TF-IDF weights (skops format, zip)
      vocabulary.txt.gz   the TF-IDF terms, one per line, line i for feature i
      word_vectors.txt.gz the words with a word vector, line i for row i (only in
                          models with word vectors; the vectors are in model.skops)
      metadata.json       versions, labels, segmenter, parameters, data summary, metrics
      README.md           the model card

``model.skops`` is read with :mod:`skops.io`, which rebuilds objects from a schema
instead of unpickling: every type in the file is checked against
:data:`TRUSTED_TYPES` before anything is built, and a file holding any other type
is refused. The vocabulary is plain text; the TF-IDF step is rebuilt from the
model's parameters, its terms and weights. A model with word vectors
(:mod:`newscat.word_vectors`) also stores the int8 vectors and their IDF weights in
``model.skops``; a model saved without them loads as before.
"""

from __future__ import annotations

import gzip
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from . import __version__
from .classifier import NewsClassifier
from .errors import ModelError, UntrustedModelError
from .word_vectors import WordVectors

__all__ = ["save_model", "load_model", "read_metadata", "FORMAT_VERSION", "TRUSTED_TYPES"]

FORMAT_VERSION = 1
MODEL_FILE = "model.skops"
VOCABULARY_FILE = "vocabulary.txt.gz"
WORD_VECTORS_FILE = "word_vectors.txt.gz"
METADATA_FILE = "metadata.json"
CARD_FILE = "README.md"
# Types skops does not trust on its own that a newscat pipeline legitimately holds.
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
)
# Settings of the machine that trained the model, not of the model.
_RUNTIME_PARAMS = ("cache_dir", "n_jobs", "progress")
# Parameters stored as data in model.skops rather than as JSON.
_DATA_PARAMS = ("word_vectors",)


def _versions() -> dict[str, str]:
    import sklearn
    import underthesea

    return {
        "newscat": __version__,
        "scikit-learn": sklearn.__version__,
        "underthesea": underthesea.__version__,
    }


def save_model(
    model: NewsClassifier,
    path: str | os.PathLike,
    *,
    name: str | None = None,
    training_data: dict | None = None,
    metrics: dict | None = None,
    description: str = "",
    limitations: list[str] | None = None,
) -> Path:
    """Write ``model`` to the folder ``path`` (created if needed) and return it.

    Examples
    --------
    >>> import tempfile
    >>> clf = NewsClassifier(segmenter="syllable", cache_dir=False, min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> folder = save_model(clf, tempfile.mkdtemp() + "/m", name="demo")
    >>> load_model(folder).predict(["trời mưa bão"])[0]
    'weather'
    """
    import skops.io as sio

    from .model_card import render_card

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    skipped = _RUNTIME_PARAMS + _DATA_PARAMS
    params = {k: v for k, v in model.get_params().items() if k not in skipped}
    metadata = {
        "format": "newscat-model",
        "format_version": FORMAT_VERSION,
        "name": name or folder.name,
        "versions": _versions(),
        "labels": [str(label) for label in model.classes_],
        "label_names": model.label_names or {},
        "segmenter": model.segmenter,
        "params": _jsonable(params),
        "training_data": training_data or {},
        "metrics": metrics or {},
        "description": description,
        "limitations": limitations or [],
    }
    tfidf = model.tfidf_
    state = {"idf": tfidf.idf_, "model": model.pipeline_.named_steps["model"]}
    if model.word_vectors is not None:
        state["word_vectors"] = model.word_vectors.vectors
        state["word_weights"] = model.word_vectors.weights
        _write_lines(folder / WORD_VECTORS_FILE, model.word_vectors.terms)
        metadata["word_vectors"] = {
            "words": len(model.word_vectors),
            "dimensions": model.word_vectors.dim,
        }
    sio.dump(state, folder / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
    _write_lines(
        folder / VOCABULARY_FILE, sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.__getitem__)
    )
    (folder / METADATA_FILE).write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / CARD_FILE).write_text(render_card(metadata), encoding="utf-8")
    model.metadata_ = metadata
    return folder


def _write_lines(path: Path, terms: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(terms) + "\n")


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def read_metadata(path: str | os.PathLike) -> dict:
    """Return the checked ``metadata.json`` of the model folder ``path``."""
    folder = Path(path)
    if not folder.is_dir():
        raise ModelError(f"no model at {folder}: not a directory")
    meta_path = folder / METADATA_FILE
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{folder} is not a newscat model: {METADATA_FILE} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path} is corrupt: {exc}") from None
    if not isinstance(metadata, dict) or metadata.get("format") != "newscat-model":
        raise ModelError(f"{meta_path} does not describe a newscat model")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            f"{folder} was saved in model format {version!r} "
            f"(newscat {metadata.get('versions', {}).get('newscat', '?')}); "
            f"this newscat ({__version__}) reads format {FORMAT_VERSION}: "
            "retrain the model or install a matching newscat"
        )
    return metadata


def load_model(path: str | os.PathLike) -> NewsClassifier:
    """Load a model folder written by :func:`save_model`.

    Raises
    ------
    ModelError
        The folder is missing, incomplete, corrupt, truncated or of another format.
    UntrustedModelError
        ``model.skops`` holds types outside :data:`TRUSTED_TYPES`.
    """
    folder = Path(path)
    metadata = read_metadata(folder)
    state = _read_state(folder / MODEL_FILE)
    terms = _read_vocabulary(folder / VOCABULARY_FILE)
    model = NewsClassifier(**metadata["params"])
    model.ngram_range = tuple(model.ngram_range)
    linear = state["model"]
    n_features = len(state["idf"])
    if "word_vectors" in state:
        model.word_vectors = _word_vectors(folder, state)
    extra = model.word_vectors.dim if model.word_vectors is not None else 0
    if len(terms) != n_features or linear.n_features_in_ != n_features + extra:
        raise ModelError(
            f"{folder} is inconsistent: {VOCABULARY_FILE} has {len(terms)} terms, "
            f"the model expects {linear.n_features_in_} features and has {n_features} "
            f"TF-IDF weights and {extra} vector dimensions"
        )
    tfidf = model._vectorizer()
    tfidf.vocabulary_ = {term: i for i, term in enumerate(terms)}
    tfidf.idf_ = state["idf"]
    model.pipeline_ = model._assemble(tfidf, linear)
    model.classes_ = linear.classes_
    if [str(c) for c in model.classes_] != metadata["labels"]:
        raise ModelError(f"{folder}: labels in {METADATA_FILE} do not match {MODEL_FILE}")
    model.metadata_ = metadata
    return model


def _read_state(path: Path) -> dict:
    import skops.io as sio

    if not path.is_file():
        raise ModelError(f"{path.parent} is incomplete: {path.name} is missing")
    try:
        untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
        if untrusted:
            raise UntrustedModelError(
                f"refusing to load {path}: it holds types newscat does not trust "
                f"({', '.join(untrusted)}); the file was altered or not written by newscat"
            )
        state = sio.load(path, trusted=list(TRUSTED_TYPES))
    except ModelError:
        raise
    except Exception as exc:  # skops reports damage through many exception types
        raise ModelError(f"{path} is corrupt or truncated ({type(exc).__name__}: {exc})") from None
    if not isinstance(state, dict) or not {"idf", "model"} <= set(state) <= _STATE_KEYS:
        raise ModelError(f"{path} does not hold a newscat model (expected idf and model)")
    return state


_STATE_KEYS = {"idf", "model", "word_vectors", "word_weights"}


def _word_vectors(folder: Path, state: dict) -> WordVectors:
    terms = _read_vocabulary(folder / WORD_VECTORS_FILE)
    try:
        return WordVectors(terms, state["word_vectors"], state["word_weights"])
    except (KeyError, ValueError) as exc:
        raise ModelError(f"{folder} is inconsistent: {exc}") from None


def _read_vocabulary(path: Path) -> list[str]:
    if not path.is_file():
        raise ModelError(f"{path.parent} is incomplete: {path.name} is missing")
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
            return f.read().split("\n")[:-1]
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is corrupt or truncated ({exc})") from None
