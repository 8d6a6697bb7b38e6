"""Training and measuring models.

- :mod:`.train`: recipes, cross-validation and training runs that save a model
- :mod:`.evaluation`: metrics, reports and the files of misclassified articles
- :mod:`.report`: the HTML report of an evaluation or a cross-validation
- :mod:`.search`: the cross-validated search of model settings
- :mod:`.review`: the archive articles a person should label next
- :mod:`.additions`: those articles, labelled, read back for a retraining
"""

from .evaluation import compute_metrics
from .train import Recipe, cross_validate, load_recipe, train_model

__all__ = ["Recipe", "compute_metrics", "cross_validate", "load_recipe", "train_model"]
