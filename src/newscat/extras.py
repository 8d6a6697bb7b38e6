"""Optional features and the extras that install them.

The default install labels text; reading and writing Parquet, extracting articles
from HTML pages and the Dask engine need more packages, installed with an extra
(``pip install "newscat[parquet]"``). :func:`require` imports such a package where
it is used and, when it is missing, raises one error naming the extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingExtraError

__all__ = ["EXTRAS", "require"]

# extra -> what needs it
EXTRAS = {
    "parquet": "Parquet files",
    "html": "HTML pages",
    "dask": "the Dask engine",
    "report": "the charts of the HTML report",
}


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, which the optional feature ``extra`` needs.

    Raises
    ------
    MissingExtraError
        ``module`` (or a package it needs) cannot be imported; the message gives the
        ``pip install`` command of the extra.

    Examples
    --------
    >>> require("json", "parquet").__name__
    'json'
    >>> require("no_such_module_here", "parquet")
    Traceback (most recent call last):
    ...
    newscat.errors.MissingExtraError: no_such_module_here is needed for Parquet files but cannot be imported: pip install "newscat[parquet]"
    """  # noqa: E501
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = (exc.name or module).partition(".")[0]  # the package to install
        raise MissingExtraError(
            f"{missing} is needed for {EXTRAS[extra]} but cannot be imported: "
            f'pip install "newscat[{extra}]"'
        ) from None
