"""The shipped default model and loading model folders once per process."""

from __future__ import annotations

import functools
import os
from importlib.resources import files
from importlib.resources.abc import Traversable

from .estimator import NewsClassifier
from .persistence import load_model, metadata_digest

__all__ = ["DEFAULT_MODEL", "default_model_path", "load"]

DEFAULT_MODEL = "labor5"


def default_model_path() -> Traversable:
    """The folder of the shipped default model, inside the installed package.

    Examples
    --------
    >>> default_model_path().name
    'labor5'
    """
    return files("newscat.models") / DEFAULT_MODEL


@functools.lru_cache(maxsize=4)
def _load_cached(folder: str, digest: str) -> NewsClassifier:
    return load_model(folder)


def load(path: str | os.PathLike | None = None) -> NewsClassifier:
    """Load a saved model folder; with no argument, the shipped default model.

    Models are loaded once per process and shared by later calls that name the
    same folder (however the path is written) while its content is unchanged: the
    key is the resolved path and the hash of the model's ``metadata.json``, which
    records the hashes of its other files, so a model saved again is reloaded.

    Examples
    --------
    >>> load().classify("Bão số 3 gây mưa lớn ở Hà Nội").label
    'weather'
    >>> load() is load(default_model_path())
    True
    """
    folder = os.path.realpath(os.fspath(path if path is not None else default_model_path()))
    return _load_cached(folder, metadata_digest(folder))
