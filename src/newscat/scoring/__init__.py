"""Scoring archives: streaming, parallel, resumable, nothing lost.

- :mod:`.job`: :func:`score_archive` and its :class:`ScoreSummary`
- :mod:`.batch`: :func:`score_records`, labelling one batch, whatever fails
- :mod:`.model`: the model a job labels with, and its identity
- :mod:`.engines`: where batches run: local processes or a Dask cluster
- :mod:`.outputs`: the result and errors files, checkpoints and resume
- :mod:`.progress`: the progress bar
- :mod:`.texts`: a list of texts on several processes, with a progress bar
"""

from .batch import DEFAULT_BATCH_SIZE, score_records
from .engines.dask import score_bag, score_dataframe
from .job import ScoreSummary, score_archive

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ScoreSummary",
    "score_archive",
    "score_bag",
    "score_dataframe",
    "score_records",
]
