"""newscat: topic labelling for Vietnamese news articles.

>>> import newscat
>>> newscat.load().classify("Bão số 3 gây mưa lớn ở Hà Nội").label
'weather'
"""

from __future__ import annotations

import functools
import os
from importlib.resources import files

__version__ = "0.1.0"

from .classifier.estimator import NewsClassifier, Prediction  # noqa: E402
from .classifier.persistence import load_model, metadata_digest, save_model  # noqa: E402
from .errors import (  # noqa: E402
    DataError,
    ModelError,
    ModelVersionWarning,
    NewscatError,
    UntrustedModelError,
)
from .scoring.engines.dask import score_bag, score_dataframe  # noqa: E402
from .scoring.job import ScoreSummary, score_archive  # noqa: E402
from .text.normalize import normalize_text  # noqa: E402
from .text.pages import clean_page  # noqa: E402

__all__ = [
    "__version__",
    "DEFAULT_MODEL",
    "DataError",
    "ModelError",
    "ModelVersionWarning",
    "NewsClassifier",
    "NewscatError",
    "Prediction",
    "ScoreSummary",
    "UntrustedModelError",
    "classify",
    "clean_page",
    "load",
    "load_model",
    "normalize_text",
    "save_model",
    "score_archive",
    "score_bag",
    "score_dataframe",
]

DEFAULT_MODEL = "labor5"


def _default_model_path():
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
    """
    folder = os.path.realpath(os.fspath(path if path is not None else _default_model_path()))
    return _load_cached(folder, metadata_digest(folder))


def classify(text: str, *, top_k: int = 3, clean: bool | None = None, model=None) -> Prediction:
    """Label one article with the default model (or ``model``: a folder or a classifier).

    ``clean`` switches the page cleaner on or off; ``None`` uses the model's setting
    (on for the default model, which labels raw scraped pages).
    """
    classifier = model if isinstance(model, NewsClassifier) else load(model)
    return classifier.classify(text, top_k=top_k, clean=clean)
