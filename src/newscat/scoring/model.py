"""The model a scoring job labels with, and its identity (name, version, fingerprint).

The identity goes into a job's progress file, so that a resume with another model
is refused.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .._version import __version__
from ..classifier.estimator import NewsClassifier
from ..classifier.shipped import default_model_path, load

__all__ = ["model_name_version", "resolve_model"]


def _folder_digest(folder: Path) -> str:
    """SHA-256 of the names and contents of the files in ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(path for path in folder.iterdir() if path.is_file()):
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def resolve_model(
    model: str | os.PathLike | NewsClassifier | None,
) -> tuple[NewsClassifier, dict[str, str | None]]:
    """The model to score with, and its identity: name, version and, for a folder, a
    digest of all its files, whatever the folder layout (a loaded model has none:
    fitted estimators change their internal state when first used, so hashing the
    object is not stable)."""
    from sklearn.utils.validation import check_is_fitted

    if isinstance(model, NewsClassifier):
        classifier, fingerprint = model, None
    else:
        folder = Path(os.fspath(model if model is not None else default_model_path()))
        classifier = load(folder)
        fingerprint = _folder_digest(folder)
    check_is_fitted(classifier, "pipeline_")
    name, version = model_name_version(classifier)
    identity = {"name": name, "version": version, "fingerprint": fingerprint}
    return classifier, identity


def model_name_version(model: NewsClassifier) -> tuple[str, str]:
    metadata = getattr(model, "metadata_", {})
    version = metadata.get("versions", {}).get("newscat", __version__)
    return metadata.get("name", "unsaved"), version
