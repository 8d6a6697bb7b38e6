"""Making writes durable: fsync a file, or a folder after a rename in it.

Saved models and scoring runs write to a temporary name, fsync, then rename; the
folder is fsynced too so that the rename survives a power cut. A model is written in
a staging folder (:func:`staging_folder`) named for the host and process that write it,
so that the next save can remove the folders that killed processes left behind.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import uuid
from pathlib import Path

__all__ = ["fsync_file", "fsync_folder", "staging_folder"]


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


def staging_folder(target: Path) -> Path:
    """Make and return a new, empty folder beside ``target`` to write it in.

    Its name, ``.NAME.new-HOST-PID-RANDOM``, says who writes it. Staging folders of
    ``target`` that a process of this host left behind and that is gone (killed while
    writing) are removed first (POSIX); those of live processes or other hosts sharing
    the folder are kept. Unlike ``tempfile.mkdtemp`` (0700), the folder follows the umask.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "model"
    >>> staging_folder(target).name.startswith(".model.new-")
    True
    """
    prefix = f".{target.name}.new-{socket.gethostname()}-"
    if os.name == "posix":
        for left in target.parent.glob(glob.escape(prefix) + "*"):
            pid = left.name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(left, ignore_errors=True)
    staging = target.parent / f"{prefix}{os.getpid()}-{uuid.uuid4().hex}"
    staging.mkdir()
    return staging


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (POSIX)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True
