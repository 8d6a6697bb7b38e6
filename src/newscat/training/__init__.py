"""Training and measuring models.

- :mod:`.train`: recipes, cross-validation and training runs that save a model
- :mod:`.evaluation`: metrics, reports and the files of misclassified articles
"""

from .evaluation import compute_metrics
from .train import Recipe, cross_validate, load_recipe, train_model

__all__ = ["Recipe", "compute_metrics", "cross_validate", "load_recipe", "train_model"]
