import json
from pathlib import Path

import pytest

from newscat import load_model
from newscat.cli import main
from newscat.training.review import pick_for_review

RECENT = Path(__file__).resolve().parents[3] / "shared" / "data" / "labor5" / "recent.jsonl"


@pytest.fixture(scope="module")
def recent_rows():
    if not RECENT.exists():
        pytest.skip(f"corpus not found at {RECENT}")
    with RECENT.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f][:240]


@pytest.fixture
def archive(tmp_path, recent_rows):
    """240 recent articles with a source field, a near-duplicate, a repeated id and two bad
    records (invalid JSON, empty text)."""
    rows = [{"id": r["id"], "text": r["text"], "source": r["source"]} for r in recent_rows]
    copy = dict(rows[5], id="copy-of-5", text=rows[5]["text"] + " ")
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines += [json.dumps(copy, ensure_ascii=False), json.dumps(rows[7], ensure_ascii=False)]
    lines += ['{"id": "broken", "text": ', '{"id": "blank", "text": "  "}']
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, rows


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_flagged_articles_come_first_and_none_twice(tmp_path, archive, small_model_dir):
    path, rows = archive
    model = load_model(small_model_dir)
    flagged = {
        r["id"] for r, p in zip(rows, model.classify_many([r["text"] for r in rows])) if p.uncertain
    }
    assert 5 < len(flagged) < len(rows) - 20  # both kinds are there to pick from
    n = len(flagged) + 20
    summary = pick_for_review([path], tmp_path / "out.jsonl", model=model, n=n)
    picked = read_jsonl(tmp_path / "out.jsonl")
    assert picked == summary.picked and len(picked) == n
    ids = [row["id"] for row in picked]
    assert len(set(ids)) == len(ids)
    assert set(ids[: len(flagged)]) <= flagged | {"copy-of-5"}
    assert flagged - {rows[5]["id"]} <= set(ids)
    assert [row["uncertain"] for row in picked] == sorted(
        (row["uncertain"] for row in picked), reverse=True
    )
    assert summary.repeated_ids == 1
    # bad records are reported with their reason, never dropped silently
    assert summary.read == len(rows) + 4 and summary.errors == 2
    errors = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert {e["id"] for e in errors} == {f"{path}:{len(rows) + 3}", "blank"}
    assert "invalid JSON" in errors[0]["error"]


def test_near_duplicates_are_left_out(tmp_path, archive, small_model_dir):
    path, rows = archive
    model = load_model(small_model_dir)
    summary = pick_for_review([path], tmp_path / "out.jsonl", model=model, n=len(rows) + 10)
    ids = [row["id"] for row in summary.picked]
    assert len(set(ids)) == len(ids)
    assert len({"copy-of-5", rows[5]["id"]} & set(ids)) == 1
    assert summary.near_duplicates >= 1
    assert len(ids) == len(rows) + 1 - summary.near_duplicates  # + 1: the copy's own id


def test_rows_hold_what_a_person_needs_to_label(tmp_path, archive, small_model_dir):
    path, rows = archive
    model = load_model(small_model_dir)
    summary = pick_for_review([path], tmp_path / "out.jsonl", model=model, n=30)
    texts = {r["id"]: r for r in rows}
    for row in summary.picked:
        assert row["label"] == "" and row["text"] == texts[row["id"]]["text"]
        assert row["source"] == texts[row["id"]]["source"]
        assert set(row["scores"]) == set(model.classes_)
        assert row["predicted"] == max(row["scores"], key=row["scores"].get)
        assert row["score"] == row["scores"][row["predicted"]]
        assert abs(sum(row["scores"].values()) - 1) < 0.01


def test_picks_are_spread_over_topics_and_sources(tmp_path, archive, small_model_dir):
    path, rows = archive
    model = load_model(small_model_dir)
    summary = pick_for_review([path], tmp_path / "out.jsonl", model=model, n=12)
    flagged = [row for row in summary.picked if row["uncertain"]]
    assert len(flagged) == 12
    everything = pick_for_review(
        [path], tmp_path / "all.jsonl", model=model, n=len(rows), overwrite=True
    ).picked
    topics = {row["predicted"] for row in everything if row["uncertain"]}
    sources = {row["source"] for row in everything if row["uncertain"]}
    assert len(topics) >= 3 and len(sources) >= 2
    # the first picks take each topic in turn, not the most uncertain topic only
    assert len({row["predicted"] for row in summary.picked[: len(topics)]}) == len(topics)
    assert len({row["source"] for row in summary.picked}) == len(sources)


def test_review_command_refuses_an_existing_output_and_skips_earlier_rounds(
    tmp_path, archive, small_model_dir, capsys
):
    path, rows = archive
    first = tmp_path / "round1.jsonl"
    args = ["review", str(path), "--model", str(small_model_dir), "--no-progress"]
    assert main([*args, "--output", str(first), "--n", "20"]) == 0
    out = capsys.readouterr().out
    assert f"wrote 20 articles to {first}" in out and "2 could not be scored" in out
    assert main([*args, "--output", str(first), "--n", "20"]) == 1
    assert "already exists; pass --overwrite" in capsys.readouterr().err
    second = tmp_path / "round2.jsonl"
    assert main([*args, "--output", str(second), "--n", "20", "--exclude", str(first)]) == 0
    round1 = {row["id"] for row in read_jsonl(first)}
    again = 20 + (rows[7]["id"] in round1)  # rows[7] is twice in the archive
    assert f"left out: {again} in --exclude files" in capsys.readouterr().out
    round2 = {row["id"] for row in read_jsonl(second)}
    assert len(round2) == 20 and not round1 & round2
    assert main([*args, "--output", str(path), "--n", "5", "--overwrite"]) == 1
    assert "is also an input" in capsys.readouterr().err
