"""The progress bar of a scoring run: records/s, errors, and the time left once counted."""

from __future__ import annotations

import threading

from ..readers.archive import Archive

__all__ = ["ProgressBar"]


class ProgressBar:
    """A tqdm bar of records; a background count of the archive adds the time left."""

    def __init__(self, archive: Archive, done: int, enabled: bool) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            desc="scoring", unit="rec", initial=done, disable=not enabled, smoothing=0.05
        )
        self._total: int | None = None
        self._stop = threading.Event()
        if enabled:
            threading.Thread(target=self._count, args=(archive,), daemon=True).start()

    def _count(self, archive: Archive) -> None:
        try:
            self._total = archive.count(self._stop)
        except (OSError, ValueError):  # only the bar needs the count; reading reports problems
            self._total = None

    def update(self, records: int, errors: int) -> None:
        if self._total is not None and self._bar.total is None:
            self._bar.total = self._total
        self._bar.set_postfix(errors=errors, refresh=False)
        self._bar.update(records)

    def close(self) -> None:
        self._stop.set()
        self._bar.close()
