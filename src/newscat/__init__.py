"""newscat: topic labelling for Vietnamese news articles.

>>> import newscat
>>> newscat.load().classify("Bão số 3 gây mưa lớn ở Hà Nội").label
'weather'
"""

from __future__ import annotations

from . import runtime
from ._version import __version__
from .classifier.estimator import NewsClassifier, Prediction
from .classifier.persistence import load_model, save_model
from .classifier.shipped import DEFAULT_MODEL, load
from .errors import (
    DataError,
    ModelError,
    ModelVersionWarning,
    NewscatError,
    UntrustedModelError,
)
from .scoring.engines.dask import score_bag, score_dataframe
from .scoring.job import ScoreSummary, score_archive
from .text.normalize import normalize_text
from .text.pages import clean_page

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
    "runtime",
    "save_model",
    "score_archive",
    "score_bag",
    "score_dataframe",
]


def classify(text: str, *, top_k: int = 3, clean: bool | None = None, model=None) -> Prediction:
    """Label one article with the default model (or ``model``: a folder or a classifier).

    ``clean`` switches the page cleaner on or off; ``None`` uses the model's setting
    (on for the default model, which labels raw scraped pages).
    """
    classifier = model if isinstance(model, NewsClassifier) else load(model)
    return classifier.classify(text, top_k=top_k, clean=clean)
