"""Where batches are labelled: local processes (:mod:`.local`) or a Dask cluster (:mod:`.dask`).

An engine is a context manager that yields ``(submit, in_flight)``; a new engine is
one more module here and one more name in :data:`ENGINES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ...classifier.estimator import NewsClassifier
from ..batch import Submit
from .local import local_engine

__all__ = ["ENGINES", "open_engine"]

ENGINES = ("local", "dask")


@contextmanager
def open_engine(
    engine: str,
    model: NewsClassifier,
    *,
    jobs: int,
    scheduler: str | None,
    top_k: int,
    clean: bool,
) -> Iterator[tuple[Submit, int]]:
    """Start ``engine`` for a run; yield ``(submit, in_flight)``, stop it at the end.

    ``submit(batch)`` returns a future of the batch's results; ``in_flight`` bounds
    the batches pending at once.
    """
    if engine == "dask":
        from .dask import dask_engine

        with dask_engine(model, scheduler=scheduler, jobs=jobs, top_k=top_k, clean=clean) as run:
            yield run
    else:
        with local_engine(model, jobs=jobs, top_k=top_k, clean=clean) as run:
            yield run
