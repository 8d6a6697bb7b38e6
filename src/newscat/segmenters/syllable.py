"""No segmentation: one token per syllable, number or punctuation mark."""

from __future__ import annotations

import re

from .base import Segmenter

__all__ = ["SyllableSegmenter"]

_SYLLABLES = re.compile(r"\w+(?:[.,:/-]\w+)*|[^\w\s]", re.UNICODE)


class SyllableSegmenter(Segmenter):
    """One token per syllable, number or punctuation mark.

    Examples
    --------
    >>> SyllableSegmenter()("Hà Nội, 2021.\\nMưa to")
    'Hà Nội , 2021 . Mưa to'
    """

    name = "syllable"

    def segment_line(self, line: str) -> str:
        return " ".join(_SYLLABLES.findall(line))
