"""Saving and loading models as directories that cannot run code when loaded.

A saved model is a folder::

    model/
      pipeline.skops   the fitted TF-IDF + linear model (skops format, zip)
      metadata.json    versions, labels, segmenter, parameters, data summary, metrics
      README.md        the model card

``pipeline.skops`` is read with :mod:`skops.io`, which rebuilds objects from a
schema instead of unpickling: every type in the file is checked against
:data:`TRUSTED_TYPES` before anything is built, and a file holding any other type
is refused.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from . import __version__
from .classifier import NewsClassifier
from .errors import ModelError, UntrustedModelError

__all__ = ["save_model", "load_model", "read_metadata", "FORMAT_VERSION", "TRUSTED_TYPES"]

FORMAT_VERSION = 1
PIPELINE_FILE = "pipeline.skops"
METADATA_FILE = "metadata.json"
CARD_FILE = "README.md"
# Types skops does not trust on its own that a newscat pipeline legitimately holds.
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
)
# Settings of the machine that trained the model, not of the model.
_RUNTIME_PARAMS = ("cache_dir", "n_jobs", "progress")


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
    params = {k: v for k, v in model.get_params().items() if k not in _RUNTIME_PARAMS}
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
    sio.dump(model.pipeline_, folder / PIPELINE_FILE, compression=zipfile.ZIP_DEFLATED)
    (folder / METADATA_FILE).write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / CARD_FILE).write_text(render_card(metadata), encoding="utf-8")
    model.metadata_ = metadata
    return folder


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
        The pipeline file holds types outside :data:`TRUSTED_TYPES`.
    """
    import skops.io as sio

    folder = Path(path)
    metadata = read_metadata(folder)
    pipeline_path = folder / PIPELINE_FILE
    if not pipeline_path.is_file():
        raise ModelError(f"{folder} is incomplete: {PIPELINE_FILE} is missing")
    try:
        untrusted = sorted(set(sio.get_untrusted_types(file=pipeline_path)) - set(TRUSTED_TYPES))
        if untrusted:
            raise UntrustedModelError(
                f"refusing to load {pipeline_path}: it holds types newscat does not trust "
                f"({', '.join(untrusted)}); the file was altered or not written by newscat"
            )
        pipeline = sio.load(pipeline_path, trusted=list(TRUSTED_TYPES))
    except ModelError:
        raise
    except Exception as exc:  # skops reports damage through many exception types
        raise ModelError(
            f"{pipeline_path} is corrupt or truncated ({type(exc).__name__}: {exc})"
        ) from None
    model = NewsClassifier(**metadata["params"])
    model.ngram_range = tuple(model.ngram_range)
    model.pipeline_ = pipeline
    model.classes_ = pipeline.classes_
    if [str(c) for c in model.classes_] != metadata["labels"]:
        raise ModelError(f"{folder}: labels in {METADATA_FILE} do not match {PIPELINE_FILE}")
    model.metadata_ = metadata
    return model
