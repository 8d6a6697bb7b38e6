"""underthesea's CRF word segmenter: the default, most accurate, slowest."""

from __future__ import annotations

from .base import Segmenter

__all__ = ["UndertheseaSegmenter"]


class UndertheseaSegmenter(Segmenter):
    """underthesea's CRF word segmenter."""

    name = "underthesea"

    def __init__(self, line_cache_size: int = 10_000) -> None:
        import underthesea
        from underthesea import word_tokenize

        self.version = f"crf-{underthesea.__version__}"
        self._word_tokenize = word_tokenize
        super().__init__(line_cache_size)

    def segment_line(self, line: str) -> str:
        return self._word_tokenize(line, format="text")
