"""Where batches are labelled: local processes (:mod:`.local`) or a Dask cluster (:mod:`.dask`).

An engine is a context manager that yields ``(submit, in_flight)``; a new engine is
one more module here and one more name in :data:`ENGINES`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ...classifier.estimator import NewsClassifier
from ...readers.archive import Record
from ..batch import Submit
from .local import local_engine

__all__ = ["ENGINES", "in_order", "open_engine"]

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
    explain: int = 0,
) -> Iterator[tuple[Submit, int]]:
    """Start ``engine`` for a run; yield ``(submit, in_flight)``, stop it at the end.

    ``submit(batch)`` returns a future of the batch's results; ``in_flight`` bounds
    the batches pending at once.
    """
    options = {"jobs": jobs, "top_k": top_k, "clean": clean, "explain": explain}
    if engine == "dask":
        from .dask import dask_engine

        with dask_engine(model, scheduler=scheduler, **options) as run:
            yield run
    else:
        with local_engine(model, **options) as run:
            yield run


def in_order(
    submit: Submit, batches: Iterable[tuple[list[Record], Any]], in_flight: int
) -> Iterator[tuple[int, Any, list[dict[str, Any]]]]:
    """(batch size, tag, results) per ``(batch, tag)``, in input order, with at most
    ``in_flight`` pending."""
    pending: deque = deque()
    for batch, tag in batches:
        pending.append((len(batch), tag, submit(batch)))
        if len(pending) >= in_flight:
            size, tag, future = pending.popleft()
            yield size, tag, future.result()
    while pending:
        size, tag, future = pending.popleft()
        yield size, tag, future.result()
