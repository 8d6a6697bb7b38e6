"""Word segmentation: turn normalised text into space-separated tokens.

Compound words are joined with ``_`` (``Công_đoàn``). Segmenters are looked up by
name; a model stores the name it was trained with and always segments with it.

==============  ==============================================================
``underthesea``  underthesea's CRF word segmenter (default, most accurate)
``dictionary``   longest match over underthesea's word list (fast)
``syllable``     no segmentation: one token per syllable or punctuation mark
==============  ==============================================================

A new segmenter is a :class:`~newscat.segmenters.base.Segmenter` in its own module,
added to :data:`SEGMENTERS` here; the command line offers every name in it.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import warnings
from collections.abc import Callable, Sequence

from .base import Segmenter
from .cache import SegmentCache, default_cache_dir
from .syllable import SyllableSegmenter
from .underthesea_crf import UndertheseaSegmenter

__all__ = ["Segmenter", "SEGMENTERS", "get_segmenter", "segment_texts"]

# The caches opened last, by folder, oldest first (see _open_cache); each holds an open
# database connection per thread that used it.
_OPEN_CACHES: dict[str, SegmentCache] = {}
_KEEP_OPEN = 4


def _dictionary_segmenter() -> Segmenter:
    from .dictionary import DictionarySegmenter

    return DictionarySegmenter()


SEGMENTERS: dict[str, Callable[[], Segmenter]] = {
    "underthesea": UndertheseaSegmenter,
    "dictionary": _dictionary_segmenter,
    "syllable": SyllableSegmenter,
}


@functools.cache
def get_segmenter(name: str) -> Segmenter:
    """Return the segmenter registered under ``name`` (one instance per process).

    Examples
    --------
    >>> get_segmenter("syllable").id
    'syllable/1'
    >>> get_segmenter("spaces")
    Traceback (most recent call last):
    ...
    ValueError: unknown segmenter 'spaces'; expected one of: underthesea, dictionary, syllable
    """
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}; expected one of: {', '.join(SEGMENTERS)}")
    return SEGMENTERS[name]()


def _segment_chunk(name: str, texts: Sequence[str]) -> list[str]:
    segmenter = get_segmenter(name)
    return [segmenter(text) for text in texts]


def segment_texts(
    texts: Sequence[str],
    segmenter: str = "underthesea",
    *,
    cache_dir=None,
    n_jobs: int = 1,
    progress: bool = False,
) -> list[str]:
    """Segment normalised texts, reusing and filling the on-disk cache.

    Parameters
    ----------
    texts : sequence of str
        Normalised texts.
    segmenter : str
        A name from :data:`SEGMENTERS`.
    cache_dir : path, None or False
        Cache folder; ``None`` for :func:`~newscat.segmenters.cache.default_cache_dir`,
        ``False`` for no on-disk cache. A folder that cannot be used (read-only,
        damaged database) gives a warning and no caching, never an error.
    n_jobs : int
        Processes segmenting texts the cache does not hold.
    progress : bool
        Show a progress bar on standard error.

    Examples
    --------
    >>> segment_texts(["Mưa lớn ở Huế"], "syllable", cache_dir=False)
    ['Mưa lớn ở Huế']
    """
    seg = get_segmenter(segmenter)
    cache = None if cache_dir is False else _open_cache(cache_dir or default_cache_dir())
    result = cache.get_many(seg.id, texts) if cache else [None] * len(texts)
    missing = [i for i, tokens in enumerate(result) if tokens is None]
    if missing:
        todo = [texts[i] for i in missing]
        done = _segment_all(segmenter, todo, n_jobs=n_jobs, progress=progress)
        for i, tokens in zip(missing, done):
            result[i] = tokens
        if cache:
            cache.put_many(seg.id, todo, done)
    return result


def _open_cache(directory) -> SegmentCache | None:
    """The cache in ``directory``, or ``None`` (with a warning) where it cannot be used.

    The last :data:`_KEEP_OPEN` caches opened are kept for the next calls (until their
    file is gone), so that labelling one article does not open a database each time.
    """
    key = os.fspath(directory)
    cache = _OPEN_CACHES.get(key)
    if cache is not None and cache.path.exists():
        return cache
    try:
        cache = SegmentCache(directory)
        _OPEN_CACHES.pop(key, None)
        while len(_OPEN_CACHES) >= _KEEP_OPEN:
            del _OPEN_CACHES[next(iter(_OPEN_CACHES))]
        _OPEN_CACHES[key] = cache
        return cache
    except (OSError, sqlite3.Error) as exc:
        warnings.warn(
            f"segmentation cache in {directory} cannot be used ({exc}); segmenting without it",
            stacklevel=3,
        )
        return None


def _segment_all(name: str, texts: list[str], *, n_jobs: int, progress: bool) -> list[str]:
    from tqdm.auto import tqdm

    chunk = 200
    chunks = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    bar = tqdm(total=len(texts), desc=f"segmenting ({name})", unit="doc", disable=not progress)
    out: list[str] = []
    if n_jobs == 1:
        for part in chunks:
            out.extend(_segment_chunk(name, part))
            bar.update(len(part))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            for part, done in zip(chunks, pool.map(_segment_chunk, [name] * len(chunks), chunks)):
                out.extend(done)
                bar.update(len(part))
    bar.close()
    return out
