"""Fuzzing with a fixed seed: any Unicode string, well-formed or not, short or of megabytes,
is labelled or reported, never a crash, and every record of an archive is accounted for."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from newscat.classifier.persistence import load_model
from newscat.runtime import use
from newscat.scoring.job import score_archive

SEED = 20261201
# (first, last) code points, mixed into the strings
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0x00, 0x1F),  # C0 controls, NUL included
    (0x7F, 0x9F),  # DEL, C1 controls
    (0xC0, 0x24F),  # Latin
    (0x1EA0, 0x1EF9),  # Vietnamese precomposed letters
    (0x300, 0x36F),  # combining marks
    (0x600, 0x6FF),  # Arabic
    (0x4E00, 0x9FFF),  # CJK
    (0x200B, 0x200F),  # zero-width characters, direction marks
    (0x2028, 0x202E),  # line/paragraph separators, embeddings
    (0xD800, 0xDFFF),  # lone surrogates
    (0xE000, 0xF8FF),  # private use
    (0xFFF0, 0xFFFF),  # specials, non-characters
    (0x1F300, 0x1FAFF),  # emoji
    (0x10000, 0x10FFFF),  # anything astral
]
SYLLABLES = "mưa bão lũ công đoàn lao động tai nạn cháy nổ bắt giữ trộm lễ hội".split()


def random_text(rng: random.Random, length: int) -> str:
    """Runs of characters from random ranges, with Vietnamese words between them."""
    parts = []
    while sum(map(len, parts)) < length:
        if rng.random() < 0.3:
            parts.append(" ".join(rng.choices(SYLLABLES, k=rng.randint(1, 8))) + " ")
        else:
            first, last = rng.choice(RANGES)
            parts.append("".join(chr(rng.randint(first, last)) for _ in range(rng.randint(1, 12))))
    return "".join(parts)[:length]


def long_text(rng: random.Random, length: int) -> str:
    """Megabytes: a random block repeated, so that making it stays fast."""
    block = random_text(rng, 4096)
    return (block * (length // len(block) + 1))[:length]


@pytest.fixture(scope="module")
def fuzz_texts() -> list[str]:
    rng = random.Random(SEED)
    texts = [random_text(rng, rng.choice([1, 5, 40, 300, 3000])) for _ in range(240)]
    texts += ["", " \t\n ", "\x00" * 50, "\ud800", "\udfff\ud800", "🇻🇳" * 30, "\u200b" * 9]
    texts += [long_text(rng, 1_000_000), long_text(rng, 2_000_000), "mưa " * 400_000]
    rng.shuffle(texts)
    return texts


def has_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


@pytest.fixture(scope="module")
def model(small_model_dir):
    return load_model(small_model_dir)


def test_fuzz_texts_are_what_they_claim(fuzz_texts):
    assert sum(map(has_surrogates, fuzz_texts)) > 50
    assert sum("\x00" in text for text in fuzz_texts) > 20
    assert max(map(len, fuzz_texts)) == 2_000_000


def test_classify_many_labels_any_unicode(small_model_dir, fuzz_texts, tmp_path):
    model = load_model(small_model_dir)
    with use(cache_dir=False):
        results = model.classify_many(fuzz_texts)
    assert len(results) == len(fuzz_texts)
    classes = set(model.classes_)
    for text, result in zip(fuzz_texts, results):
        assert result.label in classes or (result.label is None and result.uncertain)
        assert result.label is not None or not any(char.isalnum() for char in text)
    # With the on-disk segmentation cache (for texts it can key): the same labels.
    valid = [i for i, text in enumerate(fuzz_texts) if not has_surrogates(text)]
    with use(cache_dir=tmp_path / "cache"):
        again = model.classify_many([fuzz_texts[i] for i in valid])
    assert [r.label for r in again] == [results[i].label for i in valid]


def labelled_and_errors(output: Path) -> tuple[list[tuple[str, str]], list[str]]:
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    errors_file = Path(f"{output}.errors.jsonl")
    errors = []
    if errors_file.exists():
        errors = [json.loads(line)["id"] for line in errors_file.read_text().splitlines()]
    return [(row["id"], row["label"]) for row in rows], errors


def assert_accounted_for(output: Path, expected_ids: list[str], model, summary) -> None:
    labelled, errors = labelled_and_errors(output)
    assert sorted([id_ for id_, _ in labelled] + errors) == sorted(expected_ids)
    assert {label for _, label in labelled} <= set(model.classes_)
    assert summary.read == summary.labelled + summary.errors == len(expected_ids)
    assert summary.labelled == len(labelled) > len(expected_ids) // 3


def test_score_jsonl_of_any_unicode_and_bytes(model, fuzz_texts, tmp_path):
    rng = random.Random(SEED + 1)
    path = tmp_path / "fuzz.jsonl"
    lines, expected = [], []
    for i, text in enumerate(fuzz_texts):
        row = {"id": f"f{i}", "text": text}
        if rng.random() < 0.5:  # surrogates as \ud800 escapes: valid JSON, invalid text
            line = json.dumps(row).encode()
        else:  # surrogates as raw bytes: not UTF-8
            line = json.dumps(row, ensure_ascii=False).encode("utf-8", "surrogatepass")
        lines.append(line)
        if rng.random() < 0.2:  # garbage bytes, never a newline, never blank
            garbage = bytes(rng.randint(11, 255) for _ in range(rng.randint(0, 60)))
            lines.append(b"#" + garbage)
    for number, line in enumerate(lines, 1):
        try:
            expected.append(json.loads(line.decode("utf-8"))["id"])
        except ValueError:
            expected.append(f"{path}:{number}")
    path.write_bytes(b"\n".join(lines) + b"\n")
    output = tmp_path / "out.jsonl"
    summary = score_archive(path, output, model=model, jobs=1, progress=False, batch_size=64)
    assert_accounted_for(output, expected, model, summary)


def test_score_csv_of_any_unicode(model, fuzz_texts, tmp_path):
    path = tmp_path / "fuzz.csv"
    with open(path, "w", encoding="utf-8", errors="surrogatepass", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerows([f"f{i}", text] for i, text in enumerate(fuzz_texts))
    output = tmp_path / "out.jsonl"
    summary = score_archive(path, output, model=model, jobs=1, progress=False, batch_size=64)
    expected = [f"f{i}" for i in range(len(fuzz_texts))]
    assert_accounted_for(output, expected, model, summary)
    _, errors = labelled_and_errors(output)
    assert {f"f{i}" for i, text in enumerate(fuzz_texts) if has_surrogates(text)} <= set(errors)
