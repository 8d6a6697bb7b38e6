"""The HTML evaluation report: its content, and how a real (headless) browser renders it."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from newscat.cli import main
from newscat.training.report import _tradeoff, field_slices
from tests.browser import find_browser, load_page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "build" / "report.png"
IMAGES = 3  # confusion matrix, reliability diagram, accuracy against share flagged


@pytest.fixture(scope="module")
def recent_sample(tmp_path_factory, shared_data):
    """300 articles of 2025-26 (fields date, source, picked), unseen by the small model."""
    with (shared_data / "labor5" / "recent.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][::12][:300]
    path = tmp_path_factory.mktemp("data") / "recent_sample.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory, small_model_dir, recent_sample):
    folder = tmp_path_factory.mktemp("report")
    args = ["evaluate", "--model", str(small_model_dir), "--data", str(recent_sample)]
    options = ["--report", str(folder), "--slice-field", "date", "--jobs", "2", "--json"]
    result = subprocess.run(
        [sys.executable, "evaluate.py", *args[1:], *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return folder, json.loads(result.stdout), result.stderr


def test_report_holds_every_section(report):
    folder, metrics, _ = report
    page = (folder / "index.html").read_text(encoding="utf-8")
    for heading in (
        "Summary",
        "Per class",
        "Confusion matrix",
        "Reliability of the scores",
        "Accuracy against share flagged",
        "Per slice",
        "Terms of each class",
    ):
        assert f"<h2>{heading}</h2>" in page
    for label, scores in metrics["per_class"].items():
        row = f"<td>{label}</td><td>{scores['precision']:.4f}</td><td>{scores['recall']:.4f}</td>"
        assert row in page
    assert "<td>date=2025</td>" in page and "<td>date=2026</td>" in page
    assert set(metrics["slices"]) == {"date=2025", "date=2026"}
    assert sum(m["n"] for m in metrics["slices"].values()) == metrics["n"] == 300
    wrong = round(metrics["n"] * (1 - metrics["accuracy"]))
    assert wrong > 0 and f"Misclassified articles ({wrong})" in page
    shown = min(wrong, 100)
    assert page.count('<div class="mistake">') == shown
    assert page.count("<b>predicted ") == page.count("<b>true ") == shown  # both explained


def test_report_is_self_contained(report):
    folder, _, _ = report
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", page)
    assert "<script" not in page and "<link" not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == IMAGES
    assert all(src.startswith("data:image/png;base64,") for src in sources)


def test_evaluate_shows_progress_and_jobs_give_the_same_result(
    report, small_model_dir, recent_sample, capsys
):
    _, metrics, stderr = report  # two processes
    assert "labelling: 100%" in stderr and "300/300" in stderr
    args = ["evaluate", "--model", str(small_model_dir), "--data", str(recent_sample)]
    assert main([*args, "--json", "--jobs", "1", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "labelling" not in captured.err
    assert json.loads(captured.out)["confusion_matrix"] == metrics["confusion_matrix"]


def test_report_renders_in_a_headless_browser(report):
    if find_browser() is None:
        pytest.skip("no chromium: install it (apt-get install chromium; .ci/run does)")
    folder, _, _ = report
    result = load_page(folder / "index.html", SCREENSHOT)
    assert result["errors"] == []
    assert len(result["images"]) == IMAGES
    for complete, width, height in result["images"]:
        assert complete and width > 100 and height > 100
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


def test_the_browser_check_sees_errors_and_broken_images(tmp_path):
    if find_browser() is None:
        pytest.skip("no chromium: install it (apt-get install chromium; .ci/run does)")
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="data:image/png;base64,AAAA">'
        '<script>console.error("bad");throw new Error("boom")</script></body></html>'
    )
    result = load_page(page)
    assert result["images"] == [[True, 0, 0]]
    assert result["errors"][0] == "bad" and "boom" in result["errors"][1]


def test_slice_field_missing_or_on_a_folder_is_refused(small_model_dir, recent_sample, capsys):
    args = ["evaluate", "--model", str(small_model_dir), "--no-progress"]
    assert main([*args, "--data", str(recent_sample), "--slice-field", "region"]) == 1
    assert "has a field 'region' to slice by" in capsys.readouterr().err
    folder = ROOT.parent / "shared" / "data" / "vntc" / "raw_sample" / "Train_Full"
    if folder.exists():
        assert main([*args, "--data", str(folder), "--slice-field", "date"]) == 1
        assert "has no field 'date'" in capsys.readouterr().err


def test_cross_validation_report(tmp_path, labor5_rows):
    data = tmp_path / "train.jsonl"
    rows = labor5_rows[:240]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    args = ["train", "--data", str(data), "--output", str(tmp_path / "model")]
    options = ["--segmenter", "syllable", "--no-cache", "--no-progress"]
    assert main([*args, *options, "--report", str(tmp_path / "r1")]) == 2  # needs --cv
    assert main([*args, *options, "--cv", "3", "--report", str(tmp_path / "r2")]) == 0
    page = (tmp_path / "r2" / "index.html").read_text(encoding="utf-8")
    assert "Cross-validation report" in page and "<td>240</td>" in page
    assert page.count('<div class="mistake">') == page.count("<b>true ") > 0


def test_field_slices_and_tradeoff():
    masks = field_slices("date", ["2025-08-09", "2026-01-02T10:00", "2025-12-31", None])
    assert {k: v.tolist() for k, v in masks.items()} == {
        "date=(none)": [False, False, False, True],
        "date=2025": [True, False, True, False],
        "date=2026": [False, True, False, False],
    }
    source = field_slices("source", ["VnExpress", "Tuổi Trẻ", "VnExpress"])
    assert source["source=VnExpress"].tolist() == [True, False, True]
    scores = np.array([0.9, 0.3, 0.8, 0.5])
    correct = np.array([True, False, True, False])
    flagged, accuracy = _tradeoff(scores, correct)
    assert flagged.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert accuracy.tolist() == [0.5, 2 / 3, 1.0, 1.0]
