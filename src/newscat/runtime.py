"""Settings of the machine that runs newscat, not of any model.

A model's parameters say what it computes; these say how this machine computes
it, and never change a result: the segmentation cache folder, how many processes
segment uncached texts, and whether a progress bar is shown. They hold for a block
of code (:func:`use`) and are read where they apply (:func:`current`). A saved
model never holds them, and a model file that sets one is refused
(:mod:`newscat.classifier.metadata`).

Examples
--------
>>> before = current()
>>> with use(cache_dir=False, n_jobs=2):
...     current()
Runtime(cache_dir=False, n_jobs=2, progress=False)
>>> current() == before
True
>>> Runtime().n_jobs, Runtime().cache_dir  # the defaults: one process, the user cache
(1, None)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace

__all__ = ["RUNTIME_SETTINGS", "Runtime", "current", "use"]


@dataclass(frozen=True)
class Runtime:
    """The machine settings in force.

    Parameters
    ----------
    cache_dir : path, None or False
        Segmentation cache folder; ``None``: ``$NEWSCAT_CACHE_DIR`` or the user cache
        (:func:`~newscat.segmenters.cache.default_cache_dir`); ``False``: no cache.
    n_jobs : int
        Processes segmenting texts the cache does not hold.
    progress : bool
        Show a progress bar while segmenting training texts.
    """

    cache_dir: str | os.PathLike | bool | None = None
    n_jobs: int = 1
    progress: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.cache_dir, (str, os.PathLike, type(None))) and (
            self.cache_dir is not False
        ):
            raise TypeError(f"cache_dir must be a path, None or False, got {self.cache_dir!r}")
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or self.n_jobs < 1:
            raise ValueError(f"n_jobs must be an integer of at least 1, got {self.n_jobs!r}")
        if not isinstance(self.progress, bool):
            raise TypeError(f"progress must be True or False, got {self.progress!r}")


RUNTIME_SETTINGS = tuple(setting.name for setting in fields(Runtime))
# Runtime is frozen, so one default instance is safe to share.
_CURRENT: ContextVar[Runtime] = ContextVar("newscat_runtime", default=Runtime())  # noqa: B039


def current() -> Runtime:
    """The settings in force here (the defaults outside any :func:`use`)."""
    return _CURRENT.get()


@contextmanager
def use(**settings) -> Iterator[Runtime]:
    """Change some settings for the ``with`` block; the others stay as they are.

    Examples
    --------
    >>> with use(progress=True):
    ...     current().progress
    True
    >>> with use(threads=4):
    ...     pass
    Traceback (most recent call last):
    ...
    TypeError: unknown runtime setting 'threads'; expected one of: cache_dir, n_jobs, progress
    """
    unknown = sorted(set(settings) - set(RUNTIME_SETTINGS))
    if unknown:
        raise TypeError(
            f"unknown runtime setting {unknown[0]!r}; "
            f"expected one of: {', '.join(RUNTIME_SETTINGS)}"
        )
    token = _CURRENT.set(replace(current(), **settings))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)
