"""The local engine: this process and a pool of ``jobs - 1`` spawned worker processes.

A batch goes to the workers while fewer than two per worker wait; otherwise this
process labels it itself instead of idling, so no process beyond ``jobs`` holds a
copy of the model. Each worker gets the model once, when it starts, and ends if the
parent dies.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

from ...classifier.estimator import NewsClassifier
from ...readers.archive import Record
from ..batch import Submit, score_records

__all__ = ["local_engine"]

_WORKER: dict[str, Any] = {}


def _init_worker(
    model: NewsClassifier, top_k: int, clean: bool, parent: int, explain: int = 0
) -> None:
    _WORKER.update(model=model, top_k=top_k, clean=clean, explain=explain)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when its parent is gone (e.g. killed with ``kill -9``)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _score_in_worker(records: list[Record]) -> list[dict[str, Any]]:
    options = {key: _WORKER[key] for key in ("top_k", "clean", "explain")}
    return score_records(_WORKER["model"], records, **options)


def _completed(value: Any) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


@contextmanager
def local_engine(
    model: NewsClassifier, *, jobs: int, top_k: int, clean: bool, explain: int = 0
) -> Iterator[tuple[Submit, int]]:
    """Score with ``jobs`` processes: this one and a pool of ``jobs - 1`` spawned workers.

    A batch goes to the pool while fewer than two per worker wait there; otherwise it
    is scored here, at once.
    """

    def here(batch: list[Record]) -> Future:
        return _completed(score_records(model, batch, top_k=top_k, clean=clean, explain=explain))

    if jobs == 1:
        yield here, 1
        return
    workers = jobs - 1
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(model, top_k, clean, os.getpid(), explain),
    )
    waiting: set[Future] = set()

    def submit(batch: list[Record]) -> Future:
        waiting.difference_update([future for future in waiting if future.done()])
        if len(waiting) >= 2 * workers:
            return here(batch)
        future = pool.submit(_score_in_worker, batch)
        waiting.add(future)
        return future

    try:
        yield submit, 2 * jobs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
