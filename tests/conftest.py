"""Shared fixtures: paths to the read-only corpora and small models trained on them."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from newscat import NewsClassifier, save_model

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LABOR5 = SHARED / "labor5" / "train.jsonl"


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"corpus not found at {path}")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only ``shared/data`` folder beside the checkout."""
    return _require(SHARED)


@pytest.fixture(scope="session")
def labor5_rows() -> list[dict]:
    """All labelled labor5 articles."""
    with _require(LABOR5).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory, labor5_rows) -> Path:
    """A syllable-segmented labor5 model saved in a temporary folder (seconds to train)."""
    texts = [row["text"] for row in labor5_rows]
    labels = [row["label"] for row in labor5_rows]
    model = NewsClassifier(segmenter="syllable", clean_pages=True)
    model.fit(texts, labels)
    return save_model(model, tmp_path_factory.mktemp("models") / "small", name="small-labor5")


def _rehash(folder: Path) -> None:
    """Record the current size and SHA-256 of a model folder's files in its metadata, as
    someone altering all files of a model at once would."""
    meta_path = folder / "metadata.json"
    metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    vocabulary = gzip.decompress((folder / "vocabulary.txt.gz").read_bytes())
    state = (folder / "model.skops").read_bytes()
    metadata["vocabulary"] = {
        "terms": vocabulary.count(b"\n"),
        "bytes": len(vocabulary),
        "sha256": hashlib.sha256(vocabulary).hexdigest(),
    }
    metadata["state"] = {"bytes": len(state), "sha256": hashlib.sha256(state).hexdigest()}
    meta_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def rehash():
    """A function that makes a model folder's metadata agree with its altered files."""
    return _rehash
