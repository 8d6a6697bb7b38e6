"""The base of every segmenter: line by line, with a cache of recent lines.

A new segmenter subclasses :class:`Segmenter`, sets ``name`` and ``version`` and
implements :meth:`Segmenter.segment_line`, then is registered by name in
:data:`newscat.segmenters.registry.SEGMENTERS`.
"""

from __future__ import annotations

import functools

__all__ = ["Segmenter"]


class Segmenter:
    """Base class: segments a text line by line, remembering recent lines.

    Archives repeat boilerplate lines (bylines, teasers), so each line's result is
    kept in a bounded in-memory cache.

    Examples
    --------
    >>> class Words(Segmenter):
    ...     name = "words"
    ...     def segment_line(self, line):
    ...         return "_".join(line.split())
    >>> Words()("Hà Nội\\n\\nMưa to")
    'Hà_Nội Mưa_to'
    """

    name = "base"
    version = "1"

    def __init__(self, line_cache_size: int = 10_000) -> None:
        self._segment_cached = functools.lru_cache(maxsize=line_cache_size)(self.segment_line)

    @property
    def id(self) -> str:
        """Name and version: what the on-disk cache is keyed by."""
        return f"{self.name}/{self.version}"

    def segment_line(self, line: str) -> str:
        """Segment one line of text."""
        raise NotImplementedError

    def __call__(self, text: str) -> str:
        lines = (line.strip() for line in text.split("\n"))
        return " ".join(self._segment_cached(line) for line in lines if line)
