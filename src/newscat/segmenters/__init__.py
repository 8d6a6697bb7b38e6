"""Word segmenters: normalised text to space-separated words (``Công_đoàn``).

- :mod:`.registry`: the segmenters by name, and :func:`segment_texts` with its cache
- :mod:`.base`: :class:`Segmenter`, the base of every segmenter
- :mod:`.underthesea_crf`, :mod:`.dictionary`, :mod:`.syllable`: the segmenters
- :mod:`.cache`: the on-disk cache of segmented texts

A new segmenter is one more module here, registered in :data:`.registry.SEGMENTERS`.
"""

from .base import Segmenter
from .registry import SEGMENTERS, get_segmenter, segment_texts

__all__ = ["SEGMENTERS", "Segmenter", "get_segmenter", "segment_texts"]
