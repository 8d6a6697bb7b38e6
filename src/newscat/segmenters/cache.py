"""On-disk cache of segmented texts, keyed by text content and segmenter.

Segmenting is the slow step of training; the cache makes a second training run on
the same corpus skip it. Entries live in one SQLite file, safe for several
processes at once. Writes are not synced to disk one by one (write-ahead log,
``synchronous=NORMAL``): a power cut may lose the last entries, never the file's
consistency, and labelling one article does not wait for the disk (a sync per call
took longer than segmenting the article). Each thread of each process keeps one
connection open, instead of opening one per call.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["SegmentCache", "default_cache_dir"]

_ENV_VAR = "NEWSCAT_CACHE_DIR"


def default_cache_dir() -> Path:
    """Return the cache folder: ``$NEWSCAT_CACHE_DIR`` or the user cache directory.

    Examples
    --------
    >>> os.environ["NEWSCAT_CACHE_DIR"] = "/tmp/nc"
    >>> str(default_cache_dir())
    '/tmp/nc'
    >>> del os.environ["NEWSCAT_CACHE_DIR"]
    """
    if os.environ.get(_ENV_VAR):
        return Path(os.environ[_ENV_VAR])
    import platformdirs

    return Path(platformdirs.user_cache_dir("newscat"))


def _key(segmenter_id: str, text: str) -> bytes:
    return hashlib.blake2b(f"{segmenter_id}\0{text}".encode(), digest_size=16).digest()


class SegmentCache:
    """Segmented texts stored under ``directory/segments.sqlite``.

    Examples
    --------
    >>> import tempfile
    >>> cache = SegmentCache(tempfile.mkdtemp())
    >>> cache.put_many("syllable/1", ["Hà Nội"], ["Hà Nội"])
    >>> cache.get_many("syllable/1", ["Hà Nội", "Huế"])
    ['Hà Nội', None]
    """

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "segments.sqlite"
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS segments (key BLOB PRIMARY KEY, tokens TEXT)")

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (again in a forked process)."""
        if getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=60)
            db.execute("PRAGMA synchronous=NORMAL")  # per connection; see the module docstring
            self._local.db, self._local.pid = db, os.getpid()
        return self._local.db

    def get_many(self, segmenter_id: str, texts: Sequence[str]) -> list[str | None]:
        """Return the cached segmentation of each text, ``None`` where there is none."""
        keys = [_key(segmenter_id, text) for text in texts]
        found: dict[bytes, str] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, tokens FROM segments WHERE key IN ({marks})", chunk)
                found.update(rows)
        return [found.get(key) for key in keys]

    def put_many(self, segmenter_id: str, texts: Iterable[str], segmented: Iterable[str]) -> None:
        """Store the segmentation of each text."""
        rows = [(_key(segmenter_id, t), s) for t, s in zip(texts, segmented)]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO segments VALUES (?, ?)", rows)
