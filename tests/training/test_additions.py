import json
import re
import shutil
from pathlib import Path

import pytest

from newscat import load_model
from newscat.cli import main

ROOT = Path(__file__).resolve().parents[2]
RECENT = ROOT.parent / "shared" / "data" / "labor5" / "recent.jsonl"


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def recipe(tmp_path, labor5_rows):
    """A small recipe in a temporary folder: 300 labor5 articles, syllables, 3 folds."""
    write_jsonl(tmp_path / "base.jsonl", labor5_rows[:300])
    recipe = {
        "name": "mine",
        "data": [{"path": "base.jsonl"}],
        "params": {"segmenter": "syllable", "C": 1.0},
        "cross_validation": {"folds": 3, "seed": 0},
    }
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(recipe), encoding="utf-8")
    return path


@pytest.fixture
def to_label(tmp_path):
    """A review output with 60 of its 80 articles labelled (recent ones, unlike the base)."""
    if not RECENT.exists():
        pytest.skip(f"corpus not found at {RECENT}")
    with RECENT.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][:80]
    picked = [
        {
            "id": r["id"],
            "text": r["text"],
            "predicted": "other",
            "label": r["label"] if i < 60 else "",
        }
        for i, r in enumerate(rows)
    ]
    return write_jsonl(tmp_path / "to_label.jsonl", picked), picked


def train(recipe, output, *extra):
    args = ["train", "--recipe", str(recipe), "--output", str(output), "--no-cache"]
    return main([*args, "--no-progress", *extra])


def test_add_changes_the_model_and_the_card(tmp_path, recipe, to_label, capsys):
    path, picked = to_label
    assert train(recipe, tmp_path / "base") == 0
    assert train(recipe, tmp_path / "mine", "--add", str(path)) == 0
    printed = capsys.readouterr().out
    assert "added: 60 labelled articles; 20 without a label left out" in printed
    assert f"{path} line 61 (id {picked[60]['id']})" in printed
    base, mine = load_model(tmp_path / "base"), load_model(tmp_path / "mine")
    texts = [row["text"] for row in picked]
    assert (base.predict_proba(texts) != mine.predict_proba(texts)).any()
    assert mine.metadata_["training_data"]["n_documents"] == 360
    added = mine.metadata_["training_data"]["added"]
    assert added["n_documents"] == 60 and added["unlabelled"]["count"] == 20
    metrics = mine.metadata_["metrics"]
    after, before = (
        metrics["cross_validation_3_fold"],
        metrics["cross_validation_3_fold_without_added"],
    )
    assert after["n"] == before["n"] == 360  # the same articles measured, on the same folds
    assert after["slices"]["added"]["n"] == before["slices"]["added"]["n"] == 60
    assert added["macro_f1"]["added"] == [
        before["slices"]["added"]["macro_f1"],
        after["slices"]["added"]["macro_f1"],
    ]
    # recent articles, unlike the old base: their own labels teach the model about them
    assert after["slices"]["added"]["macro_f1"] > before["slices"]["added"]["macro_f1"]
    card = (tmp_path / "mine" / "README.md").read_text(encoding="utf-8")
    assert "## Added labels" in card and "60 articles labelled by a person" in card
    low, high = added["macro_f1"]["added"]
    assert f"| added | {low:.4f} | {high:.4f} |" in card
    assert "Added labels" not in (tmp_path / "base" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda rows: rows[2].update(label="weathr"), r"line 3 \(id .*\): unknown label 'weathr'"),
        (lambda rows: rows[4].update(id=rows[1]["id"]), r"line 5: id .* is also at .* line 2"),
        (lambda rows: [row.update(label="") for row in rows], r"no record has a label yet"),
        (lambda rows: rows[0].update(text=" "), r"line 1 \(id .*\): no text"),
    ],
)
def test_bad_added_records_are_refused_naming_the_line(
    tmp_path, recipe, to_label, capsys, edit, message
):
    path, picked = to_label
    edit(picked)
    write_jsonl(path, picked)
    assert train(recipe, tmp_path / "mine", "--add", str(path)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("newscat: error: ")
    assert re.search(message, err)
    assert not (tmp_path / "mine").exists()


def test_the_shipped_recipe_without_its_data_says_what_is_missing(tmp_path, to_label, capsys):
    path, _ = to_label
    moved = shutil.copy(ROOT / "data" / "labor5.json", tmp_path / "labor5.json")
    assert train(moved, tmp_path / "mine", "--add", str(path)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "labor5.json: its data is not here: " in err and "train.jsonl" in err
    assert "run from a checkout beside ../shared" in err and "--data FILE" in err
    # with a base set of one's own, only the word vectors' pools are missing
    base = write_jsonl(tmp_path / "own.jsonl", [{"text": "Mưa lớn", "label": "weather"}])
    assert train(moved, tmp_path / "mine", "--add", str(path), "--data", str(base)) == 1
    err = capsys.readouterr().err
    assert "rss_2025_26.jsonl.gz (word-vector pool)" in err and "own.jsonl" not in err


def test_add_needs_cross_validation(tmp_path, recipe, to_label, capsys):
    path, _ = to_label
    assert train(recipe, tmp_path / "mine", "--add", str(path), "--cv", "0") == 2
    assert "--add compares cross-validation before and after" in capsys.readouterr().err
