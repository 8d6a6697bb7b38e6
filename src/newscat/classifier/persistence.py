"""Saving and loading models as directories that cannot run code when loaded.

A saved model is a folder::

    model/
      model.skops         the linear model and the TF-IDF weights (skops format, zip)
      vocabulary.txt.gz   the TF-IDF terms, one per line, line i for feature i
      word_vectors.txt.gz the words with a word vector, line i for row i (only in
                          models with word vectors; the vectors are in model.skops)
      metadata.json       versions, labels, segmenter, parameters, data summary, metrics
      README.md           the model card

``model.skops`` is read with :mod:`skops.io`, which rebuilds objects from a schema
instead of unpickling: every type in the file is checked against
:data:`TRUSTED_TYPES` before anything is built, and a file holding any other type
is refused. The vocabulary is plain text; the TF-IDF step is rebuilt from the
model's parameters, its terms and weights. A model with word vectors
(:mod:`newscat.classifier.word_vectors`) also stores the int8 vectors and their IDF weights in
``model.skops``; a model saved without them loads as before. A model with neighbour
votes (:mod:`newscat.classifier.neighbours`) holds the int8 article vector and label of
each training text inside its linear model, and ``metadata.json`` says how many.

A model folder is data from anywhere and is checked before use: ``metadata.json``
against the schema of :mod:`newscat.classifier.metadata`; every file is read only if it is a
regular file of bounded size; the vocabulary and ``model.skops`` must have the size
and SHA-256 that the metadata records; the vocabulary may not hold empty,
duplicated or CR-ended terms; and the arrays in ``model.skops`` must fit the size
of the model (terms x labels) before any of them is unpacked. Every problem is
one :class:`~newscat.errors.ModelError`.

Saving is atomic: the files are written to a folder beside the target, which is
then renamed into place (a save killed meanwhile leaves that folder behind; the next
save beside it removes it, :func:`~newscat.durable.staging_folder`). Replacing a model
moves the old folder aside first (``.NAME.replaced``), renames the new one in and
deletes the old one, so a crash at any point leaves either the old model or the new
one; if it happens between the two renames, loading reads the old model from where it
was moved.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

from .._version import __version__
from ..durable import fsync_file, fsync_folder, staging_folder
from ..errors import ModelError, ModelVersionWarning, UntrustedModelError
from .estimator import NewsClassifier, store_coefficients_for_prediction
from .explanation import decision_model
from .metadata import (
    DATA_PARAMS,
    FORMAT,
    FORMAT_VERSION,
    MAX_METADATA_BYTES,
    MAX_STATE_BYTES,
    check_metadata,
)
from .neighbours import NeighbourVotes
from .word_vectors import WordVectors

__all__ = [
    "save_model",
    "load_model",
    "read_metadata",
    "metadata_digest",
    "check_output",
    "FORMAT_VERSION",
    "TRUSTED_TYPES",
]

MODEL_FILE = "model.skops"
VOCABULARY_FILE = "vocabulary.txt.gz"
WORD_VECTORS_FILE = "word_vectors.txt.gz"
METADATA_FILE = "metadata.json"
CARD_FILE = "README.md"
# Types skops does not trust on its own that a newscat pipeline legitimately holds.
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._TemperatureScaling",
    "newscat.classifier.nbsvm.NBSVMClassifier",
    "newscat.classifier.neighbours.NeighbourVotes",
)
_SCHEMA_MEMBER = "schema.json"
_MAX_SCHEMA_BYTES = 16 * 2**20
_NPY_HEADER_SLACK = 4096


def _versions() -> dict[str, str]:
    import sklearn
    import underthesea

    return {
        "newscat": __version__,
        "scikit-learn": sklearn.__version__,
        "underthesea": underthesea.__version__,
    }


# ------------------------------------------------------------------- saving
def save_model(
    model: NewsClassifier,
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    name: str | None = None,
    training_data: dict | None = None,
    metrics: dict | None = None,
    description: str = "",
    limitations: list[str] | None = None,
) -> Path:
    """Write ``model`` to the folder ``path`` and return it.

    The folder appears complete or not at all. An existing model folder is
    replaced only with ``overwrite=True``; a folder holding anything else than a
    model is never replaced.

    Examples
    --------
    >>> import tempfile
    >>> clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> folder = save_model(clf, tempfile.mkdtemp() + "/m", name="demo")
    >>> load_model(folder).predict(["trời mưa bão"])[0]
    'weather'
    >>> save_model(clf, folder, overwrite=True) == folder
    True
    """
    import skops.io as sio

    from .card import render_card

    target = Path(path)
    params = {k: v for k, v in model.get_params().items() if k not in DATA_PARAMS}
    tfidf = model.tfidf_
    state = {"idf": tfidf.idf_, "model": model.pipeline_.named_steps["model"]}
    terms = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.__getitem__)
    vocabulary = _lines(terms)
    files = {VOCABULARY_FILE: gzip.compress(vocabulary, mtime=0)}
    extra = {}
    if model.word_vectors is not None:
        state["word_vectors"] = model.word_vectors.vectors
        state["word_weights"] = model.word_vectors.weights
        words = _lines(model.word_vectors.terms)
        files[WORD_VECTORS_FILE] = gzip.compress(words, mtime=0)
        extra["word_vectors"] = {
            "terms": len(model.word_vectors),
            "dimensions": model.word_vectors.dim,
            **_size_and_hash(words),
        }
    scored = decision_model(state["model"])
    if isinstance(scored, NeighbourVotes):
        extra["neighbours"] = {"texts": len(scored.memory_), "dimensions": scored.dim}
    state = sio.dumps(state, compression=zipfile.ZIP_DEFLATED)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": name or target.name,
        "versions": _versions(),
        "labels": [str(label) for label in model.classes_],
        "label_names": model.label_names or {},
        "segmenter": model.segmenter,
        "params": _jsonable(params),
        "vocabulary": {"terms": len(terms), **_size_and_hash(vocabulary)},
        "state": _size_and_hash(state),
        **extra,
        "training_data": training_data or {},
        "metrics": metrics or {},
        "description": description,
        "limitations": limitations or [],
    }
    try:
        check_metadata(metadata)
    except ModelError as exc:
        raise ModelError(f"cannot save this model to {target}: {exc}") from None
    files |= {
        MODEL_FILE: state,
        METADATA_FILE: (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode(),
        CARD_FILE: render_card(metadata).encode("utf-8"),
    }
    check_output(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(target)
    try:
        for filename, content in files.items():
            with open(staging / filename, "wb") as f:
                f.write(content)
                fsync_file(f)
        _install(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    model.metadata_ = metadata
    return target


def _lines(terms: list[str]) -> bytes:
    return ("\n".join(terms) + "\n").encode("utf-8")


def _size_and_hash(content: bytes) -> dict:
    return {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def _backup(target: Path) -> Path:
    """Where a model being replaced waits until its successor is in place."""
    return target.with_name(f".{target.name}.replaced")


def check_output(path: str | os.PathLike, overwrite: bool = False) -> None:
    """Raise ``FileExistsError`` if a model may not be saved to ``path``.

    Also finishes a replacement that a crash interrupted: the old model, moved
    aside, is put back, or its leftover copy removed.

    Examples
    --------
    >>> import tempfile
    >>> check_output(tempfile.mkdtemp() + "/new-model")
    """
    target = Path(path)
    backup = _backup(target)
    if backup.is_dir():
        if target.exists():
            shutil.rmtree(backup)
        else:
            os.rename(backup, target)
    if not target.exists():
        return
    if not target.is_dir():
        raise FileExistsError(f"cannot save a model to {target}: it is a file, not a folder")
    if not any(target.iterdir()):
        return
    if not (target / METADATA_FILE).is_file():
        raise FileExistsError(
            f"cannot save a model to {target}: the folder holds other files and no model; "
            "choose a new or empty folder"
        )
    if not overwrite:
        raise FileExistsError(
            f"{target} already holds a model; pass overwrite=True to replace it "
            "(--overwrite on the command line)"
        )


def _install(staging: Path, target: Path) -> None:
    """Rename the complete folder ``staging`` to ``target``, replacing what is there."""
    if target.exists() and any(target.iterdir()):
        backup = _backup(target)
        os.rename(target, backup)
        os.rename(staging, target)
        fsync_folder(target.parent)
        shutil.rmtree(backup)
    else:
        os.replace(staging, target)
        fsync_folder(target.parent)


# ------------------------------------------------------------------ loading
def _model_folder(path: str | os.PathLike) -> Path:
    """The folder to read: ``path``, or the old model a crashed replacement moved aside."""
    folder = Path(path)
    if not folder.exists() and _backup(folder).is_dir():
        return _backup(folder)
    if not folder.is_dir():
        raise ModelError(f"no model at {folder}: not a directory")
    return folder


def _read_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, refused if larger than ``limit``.

    Opened without blocking (a FIFO cannot hang the reader) and checked with
    ``fstat`` on the open file: a device, FIFO, socket or folder is refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ModelError(f"{path.parent} is incomplete: {path.name} is missing") from None
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ModelError(f"{path} is not a regular file (a device, FIFO or folder)")
        if info.st_size > limit:
            raise ModelError(f"{path} is {info.st_size:,} bytes, more than {limit:,} allowed")
        with open(fd, "rb", closefd=False) as f:
            data = f.read(info.st_size + 1)  # + 1: a file that grew since is seen
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ModelError(f"{path} is larger than {limit:,} bytes")
    return data


def _check_hash(path: Path, content: bytes, expected: dict) -> None:
    if _size_and_hash(content) != {"bytes": expected["bytes"], "sha256": expected["sha256"]}:
        raise ModelError(
            f"{path} does not match the size and SHA-256 recorded in {METADATA_FILE}: "
            "the file was altered or belongs to another model"
        )


def metadata_digest(path: str | os.PathLike) -> str:
    """SHA-256 of a model folder's ``metadata.json``, which records the hashes of the
    other files: a retrained model has another digest."""
    meta_path = _model_folder(path) / METADATA_FILE
    return hashlib.sha256(_read_file(meta_path, MAX_METADATA_BYTES)).hexdigest()


def read_metadata(path: str | os.PathLike) -> dict:
    """Return the checked ``metadata.json`` of the model folder ``path``."""
    folder = _model_folder(path)
    meta_path = folder / METADATA_FILE
    if not os.path.lexists(meta_path):
        raise ModelError(f"{folder} is not a newscat model: {METADATA_FILE} is missing")
    raw = _read_file(meta_path, MAX_METADATA_BYTES)
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path} is corrupt: {exc}") from None
    except RecursionError:
        raise ModelError(f"{meta_path} is corrupt: JSON nested too deeply") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelError(f"{meta_path} does not describe a newscat model")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        saved_with = metadata.get("versions")
        newscat = saved_with.get("newscat", "?") if isinstance(saved_with, dict) else "?"
        raise ModelError(
            f"{folder} was saved in model format {version!r:.20} (newscat {newscat!s:.20}); "
            f"this newscat ({__version__}) reads format {FORMAT_VERSION}: "
            "retrain the model or install a matching newscat"
        )
    try:
        check_metadata(metadata)
    except ModelError as exc:
        raise ModelError(f"{meta_path}: {exc}") from None
    return metadata


def load_model(path: str | os.PathLike) -> NewsClassifier:
    """Load a model folder written by :func:`save_model`.

    Raises
    ------
    ModelError
        The folder is missing, incomplete, corrupt, truncated, altered or of
        another format; the message names the file and what is wrong.
    UntrustedModelError
        ``model.skops`` holds types outside :data:`TRUSTED_TYPES`.

    Warns
    -----
    ModelVersionWarning
        The model was saved with another scikit-learn version.
    """
    folder = _model_folder(path)
    metadata = read_metadata(folder)
    terms = _read_vocabulary(folder / VOCABULARY_FILE, metadata["vocabulary"])
    state = _read_state(folder / MODEL_FILE, metadata)
    model = NewsClassifier(**metadata["params"])
    model.ngram_range = tuple(model.ngram_range)
    if "word_vectors" in metadata:
        words = _read_vocabulary(folder / WORD_VECTORS_FILE, metadata["word_vectors"])
        model.word_vectors = WordVectors(words, state["word_vectors"], state["word_weights"])
    tfidf = model._vectorizer()
    tfidf.vocabulary_ = {term: i for i, term in enumerate(terms)}
    tfidf.idf_ = state["idf"]
    store_coefficients_for_prediction(state["model"])  # older files hold them row by row
    model.pipeline_ = model._assemble(tfidf, state["model"])
    model.classes_ = state["model"].classes_
    _warn_on_other_sklearn(folder, metadata)
    model.metadata_ = metadata
    return model


def _warn_on_other_sklearn(folder: Path, metadata: dict) -> None:
    import sklearn

    saved = metadata["versions"].get("scikit-learn")
    if saved is not None and saved != sklearn.__version__:
        warnings.warn(
            f"{folder} was saved with scikit-learn {saved} and is loaded with scikit-learn "
            f"{sklearn.__version__}; scores may differ: retrain the model or install "
            f"scikit-learn=={saved}",
            ModelVersionWarning,
            stacklevel=3,
        )


def _read_vocabulary(path: Path, expected: dict) -> list[str]:
    """The terms of ``path``, one per line, unpacked no further than ``expected["bytes"]``."""
    size = expected["bytes"]
    packed = _read_file(path, size + size // 100 + 4096)  # gzip never grows data more
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as f:
            content = f.read(size + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ModelError(f"{path} is corrupt or truncated ({exc})") from None
    cr = content.find(b"\r")
    if cr >= 0:
        line = content.count(b"\n", 0, cr) + 1
        raise ModelError(f"{path} line {line}: a CR character (terms end with LF only)")
    if len(content) > size:
        raise ModelError(f"{path} holds more than the {size:,} bytes {METADATA_FILE} records")
    try:
        terms = content.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path} is corrupt or truncated ({exc})") from None
    if terms[-1] != "":
        raise ModelError(f"{path} is truncated: the last line has no line end")
    terms.pop()
    if "" in terms:
        raise ModelError(f"{path} line {terms.index('') + 1}: an empty term")
    if len(set(terms)) != len(terms):
        seen: set[str] = set()
        line = next(i for i, term in enumerate(terms) if term in seen or seen.add(term))
        raise ModelError(f"{path} line {line + 1}: term {terms[line]!r:.60} is duplicated")
    if len(terms) != expected["terms"]:
        raise ModelError(
            f"{path} has {len(terms):,} terms; {METADATA_FILE} records {expected['terms']:,}"
        )
    _check_hash(path, content, expected)
    return terms


def _n_inputs(metadata: dict) -> int:
    """How many numbers the linear model reads per text: a TF-IDF value per term, and
    the article vector's dimensions when the model has word vectors."""
    return metadata["vocabulary"]["terms"] + metadata.get("word_vectors", {}).get("dimensions", 0)


def _state_limits(metadata: dict) -> tuple[int, int]:
    """Largest array and largest total, in bytes, the state of the model ``metadata``
    describes can hold.

    The largest arrays are the linear model's coefficients (labels x inputs), the
    TF-IDF weights (terms), the word vectors (words x dimensions) and the article
    vectors of a model with neighbour votes (texts x dimensions), at most 8 bytes a
    number.
    """
    words = metadata.get("word_vectors", {"terms": 0, "dimensions": 0})
    texts = metadata.get("neighbours", {"texts": 0, "dimensions": 0})
    coefficients = _n_inputs(metadata) * len(metadata["labels"])
    numbers = max(
        coefficients, words["terms"] * words["dimensions"], texts["texts"] * texts["dimensions"]
    )
    largest = 8 * numbers + _NPY_HEADER_SLACK
    return largest, 4 * largest + _MAX_SCHEMA_BYTES


def _check_members(path: Path, data: bytes, metadata: dict) -> None:
    """Check the zip directory and array headers of ``model.skops`` before unpacking it."""
    largest, total = _state_limits(metadata)
    n_features, n_classes = metadata["vocabulary"]["terms"], len(metadata["labels"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > total:
            raise ModelError(
                f"{path} unpacks to more than the {total:,} bytes a model of "
                f"{n_features:,} terms and {n_classes} labels can need"
            )
        for member in members:
            if member.filename == _SCHEMA_MEMBER:
                limit = _MAX_SCHEMA_BYTES
            elif member.filename.endswith(".npy"):
                limit = largest
            else:
                raise ModelError(f"{path} holds an unexpected member {member.filename!r:.60}")
            if member.file_size > limit:
                raise ModelError(
                    f"{path}: {member.filename} unpacks to {member.file_size:,} bytes, more "
                    f"than the {limit:,} a model of {n_features:,} terms and {n_classes} "
                    "labels can need"
                )
            if limit is largest:
                with archive.open(member) as f:
                    shape, dtype = _npy_header(f)
                if dtype.hasobject or int(np.prod(shape, dtype=object)) * dtype.itemsize > limit:
                    raise ModelError(
                        f"{path}: {member.filename} declares an array of shape {shape} "
                        f"and type {dtype}, larger than this model can hold"
                    )


def _npy_header(f) -> tuple[tuple[int, ...], np.dtype]:
    version = npy_format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = npy_format.read_array_header_1_0(f)
    else:
        shape, _, dtype = npy_format.read_array_header_2_0(f)
    return shape, dtype


def _read_state(path: Path, metadata: dict) -> dict:
    import skops.io as sio

    data = _read_file(path, min(_state_limits(metadata)[1], MAX_STATE_BYTES))
    try:
        _check_hash(path, data, metadata["state"])
        _check_members(path, data, metadata)
        untrusted = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
        if untrusted:
            raise UntrustedModelError(
                f"refusing to load {path}: it holds types newscat does not trust "
                f"({', '.join(untrusted)}); the file was altered or not written by newscat"
            )
        state = sio.loads(data, trusted=list(TRUSTED_TYPES))
    except ModelError:
        raise
    except Exception as exc:  # zipfile, numpy and skops report damage many ways
        detail = " ".join(str(exc).split())[:200]  # one line, whatever the library wrote
        raise ModelError(
            f"{path} is corrupt or truncated ({type(exc).__name__}: {detail})"
        ) from None
    expected = {"idf", "model"} | (_VECTOR_STATE if "word_vectors" in metadata else set())
    if not isinstance(state, dict) or set(state) != expected:
        raise ModelError(
            f"{path} does not hold the newscat model {METADATA_FILE} describes "
            f"(expected {', '.join(sorted(expected))})"
        )
    for key, check in _STATE_CHECKS.items():
        if key in state:
            check(state[key], metadata, f"{path} [{key}]")
    return state


def _check_array(values, shape: tuple, dtype_fits, expected: str, where: str) -> None:
    """Refuse ``values`` unless it is an array of ``shape`` whose dtype (and content)
    ``dtype_fits``; ``expected`` says what was wanted."""
    if not (isinstance(values, np.ndarray) and values.shape == shape and dtype_fits(values)):
        raise ModelError(
            f"{where}: expected {expected}, "
            f"got {type(values).__name__} of shape {getattr(values, 'shape', '?')}"
        )


def _finite_floats(values: np.ndarray) -> bool:
    return values.dtype.kind == "f" and bool(np.isfinite(values).all())


def _int8(values: np.ndarray) -> bool:
    return values.dtype == np.int8


def _check_idf(idf, metadata: dict, where: str) -> None:
    terms = metadata["vocabulary"]["terms"]
    expected = f"{terms:,} finite TF-IDF weights (one per vocabulary term)"
    _check_array(idf, (terms,), _finite_floats, expected, where)


def _check_estimator(model, metadata: dict, where: str) -> None:
    n_inputs = _n_inputs(metadata)
    if not isinstance(model, (CalibratedClassifierCV, LogisticRegression)):
        raise ModelError(f"{where}: {type(model).__name__} is not a model newscat trains")
    if getattr(model, "n_features_in_", None) != n_inputs:
        raise ModelError(
            f"{where}: the model expects {getattr(model, 'n_features_in_', '?')} features, "
            f"the vocabulary and word vectors give {n_inputs:,}"
        )
    if [str(c) for c in getattr(model, "classes_", [])] != metadata["labels"]:
        raise ModelError(f"{where}: its labels do not match the labels in {METADATA_FILE}")
    scored = decision_model(model)
    has_votes = isinstance(scored, NeighbourVotes)
    if has_votes != ("neighbours" in metadata):
        raise ModelError(
            f"{where}: the model {'has' if has_votes else 'has no'} neighbour votes, "
            f"{METADATA_FILE} {'records none' if has_votes else 'records them'}"
        )
    if has_votes:
        _check_neighbours(scored, metadata, where)


def _check_neighbours(scored: NeighbourVotes, metadata: dict, where: str) -> None:
    """The remembered article vectors and labels of a model with neighbour votes."""
    recorded, params = metadata["neighbours"], metadata["params"]
    shape = (recorded["texts"], recorded["dimensions"])
    settings = (scored.n_neighbors, scored.weight, scored.dim)
    expected = (
        params.get("neighbours"),
        params.get("neighbour_weight"),
        metadata.get("word_vectors", {}).get("dimensions"),
    )
    if settings != expected or recorded["dimensions"] != scored.dim:
        raise ModelError(
            f"{where}: neighbour votes (neighbours, weight, dimensions) {settings} do not "
            f"match {METADATA_FILE}'s {expected}"
        )
    _check_array(
        scored.memory_, shape, _int8, f"int8 article vectors of shape {shape}", f"{where} memory_"
    )
    n_labels = len(metadata["labels"])

    def label_numbers(labels: np.ndarray) -> bool:
        return labels.dtype.kind == "i" and bool(((labels >= 0) & (labels < n_labels)).all())

    _check_array(
        scored.memory_labels_,
        shape[:1],
        label_numbers,
        f"{shape[0]:,} label numbers from 0 to {n_labels - 1}",
        f"{where} memory_labels_",
    )


def _check_word_vectors(vectors, metadata: dict, where: str) -> None:
    shape = (metadata["word_vectors"]["terms"], metadata["word_vectors"]["dimensions"])
    _check_array(vectors, shape, _int8, f"int8 word vectors of shape {shape}", where)


def _check_word_weights(weights, metadata: dict, where: str) -> None:
    words = metadata["word_vectors"]["terms"]
    expected = f"{words:,} finite word weights (one per word)"
    _check_array(weights, (words,), _finite_floats, expected, where)


# What model.skops holds: entry -> check of the loaded value against the metadata.
_STATE_CHECKS = {
    "idf": _check_idf,
    "model": _check_estimator,
    "word_vectors": _check_word_vectors,
    "word_weights": _check_word_weights,
}
_VECTOR_STATE = {"word_vectors", "word_weights"}
