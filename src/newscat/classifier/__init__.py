"""The model: segmented text to features, a linear model and calibrated results.

- :mod:`.estimator`: :class:`NewsClassifier`, the scikit-learn estimator
- :mod:`.inputs`: the checks of the texts and labels it is given
- :mod:`.prediction`: one labelled text and its uncertainty rule
- :mod:`.explanation`: the terms behind a label, adding up to its decision value
- :mod:`.features`: the TF-IDF terms (word and syllable n-grams, headline weight)
- :mod:`.tfidf`: the TF-IDF step, counting those terms through token ids
- :mod:`.word_vectors`: word vectors learnt from unlabelled news
- :mod:`.domain`: the out-of-domain rule (not Vietnamese, few known terms)
- :mod:`.persistence`, :mod:`.metadata`, :mod:`.card`: saving and loading model folders
- :mod:`.shipped`: the shipped default model and :func:`load`
"""

from .estimator import CLASSIFIERS, NewsClassifier, Prediction
from .persistence import load_model, save_model
from .shipped import DEFAULT_MODEL, load

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_MODEL",
    "NewsClassifier",
    "Prediction",
    "load",
    "load_model",
    "save_model",
]
