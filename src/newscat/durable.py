"""Making writes durable: fsync a file, or a folder after a rename in it.

Saved models and scoring runs write to a temporary name, fsync, then rename; the
folder is fsynced too so that the rename survives a power cut.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["fsync_file", "fsync_folder"]


def fsync_file(file) -> None:
    """Flush the open ``file`` and make its content durable.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryFile() as f:
    ...     _ = f.write(b"x")
    ...     fsync_file(f)
    """
    file.flush()
    os.fsync(file.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; elsewhere a folder cannot be fsynced).

    Examples
    --------
    >>> import tempfile
    >>> fsync_folder(Path(tempfile.mkdtemp()))
    """
    if os.name == "posix":
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
