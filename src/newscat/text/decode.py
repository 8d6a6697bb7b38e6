"""Decoding text files: UTF-8, or UTF-8 / UTF-16 LE / UTF-16 BE announced by a byte-order mark.

VNTC's original files are UTF-16 with a byte-order mark; most others are UTF-8.
"""

from __future__ import annotations

import codecs
import os

from ..errors import DataError

__all__ = ["check_size", "decode_text", "read_text_file"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, where: str) -> str:
    """Decode file bytes: UTF-8, or UTF-8/UTF-16 LE/BE announced by a byte-order mark.

    Examples
    --------
    >>> decode_text("Huế".encode("utf-16"), "a.txt")
    'Huế'
    >>> decode_text(b"\\xff\\xfe\\x00\\xd8", "b.txt")
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: b.txt: cannot decode as utf-16: ...
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{where}: cannot decode as {encoding}: {exc.reason} at byte {exc.start}"
            + ("" if encoding != "utf-8" else "; save the file as UTF-8")
        ) from None


def read_text_file(path: str | os.PathLike, limit: int | None = None) -> str:
    """Read a .txt file in any encoding :func:`decode_text` accepts; a file of more than
    ``limit`` bytes is refused without being read whole.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".txt") as f:
    ...     _ = f.write("Mưa lớn".encode()); f.flush()
    ...     read_text_file(f.name, limit=5)
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: /...txt: longer than 5 bytes, the limit for one article
    """
    with open(path, "rb") as f:
        data = f.read() if limit is None else f.read(limit + 1)
    check_size(data, limit, str(path))
    return decode_text(data, str(path))


def check_size(data: bytes, limit: int | None, where: str) -> None:
    """Raise :class:`~newscat.errors.DataError` if ``data`` is longer than ``limit`` bytes.

    Examples
    --------
    >>> check_size(b"abc", 2, "standard input")
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: standard input: longer than 2 bytes, the limit for one article
    """
    if limit is not None and len(data) > limit:
        raise DataError(f"{where}: longer than {limit:,} bytes, the limit for one article")
