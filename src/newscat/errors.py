"""Exceptions raised by newscat, one per kind of problem, and its warnings.

All derive from :class:`NewscatError`, so ``except newscat.NewscatError`` catches
every problem newscat reports on purpose.
"""

from __future__ import annotations

__all__ = [
    "NewscatError",
    "DataError",
    "MissingExtraError",
    "ModelError",
    "ModelVersionWarning",
    "UntrustedModelError",
    "UsageError",
]


class NewscatError(Exception):
    """Base class of every error newscat raises on purpose."""


class DataError(NewscatError, ValueError):
    """Input data is missing, malformed or unusable; the message names where.

    Examples
    --------
    >>> raise DataError("train.jsonl line 3: missing field 'label'")
    Traceback (most recent call last):
    ...
    newscat.errors.DataError: train.jsonl line 3: missing field 'label'
    """


class ModelError(NewscatError):
    """A saved model cannot be used: missing, corrupt, truncated or incompatible."""


class UntrustedModelError(ModelError):
    """A saved model holds types that newscat does not trust to load."""


class ModelVersionWarning(UserWarning):
    """A saved model was written by another scikit-learn version than the one loading it.

    The model still loads; its predictions may differ slightly. Silence it with
    ``warnings.simplefilter("ignore", newscat.ModelVersionWarning)``.
    """


class MissingExtraError(NewscatError, ImportError):
    """An optional feature's packages are not installed; the message names the extra.

    Examples
    --------
    >>> raise MissingExtraError('Parquet files need pyarrow: pip install "newscat[parquet]"')
    Traceback (most recent call last):
    ...
    newscat.errors.MissingExtraError: Parquet files need pyarrow: pip install "newscat[parquet]"
    """


class UsageError(NewscatError):
    """Options of the ``newscat`` command that do not go together (exit status 2)."""
