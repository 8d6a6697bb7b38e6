"""The shipped model: loads offline, labels the newspaper's topics, matches its recipe."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import newscat
from newscat.training.train import load_recipe, train_model

ROOT = Path(__file__).resolve().parents[1]
TOPICS = {"union_welfare", "labor_safety", "weather", "crime", "events", "other"}


def test_default_model_loads_without_arguments():
    model = newscat.load()
    assert set(model.classes_) == TOPICS
    assert model.metadata_["name"] == "labor5" and model.segmenter == "dictionary"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Bão số 3 đổ bộ vào Quảng Ninh, mưa lớn kéo dài gây ngập lụt nhiều nơi", "weather"),
        ("Công an bắt giữ đối tượng lừa đảo chiếm đoạt hàng tỷ đồng qua mạng", "crime"),
        ("Công đoàn tặng quà Tết cho đoàn viên, công nhân có hoàn cảnh khó khăn", "union_welfare"),
        ("Công nhân tử vong do ngã từ giàn giáo tại công trường xây dựng", "labor_safety"),
    ],
)
def test_classify_labels_clear_articles(text, label):
    result = newscat.classify(text)
    assert result.label == label
    assert result.name == newscat.load().label_names[label]
    assert len(result.top_k) == 3 and 0 < result.score <= 1


def test_scraped_page_is_labelled_by_its_article(shared_data):
    page = (shared_data / "archive" / "sample_page.txt").read_text(encoding="utf-8")
    assert newscat.classify(page).label == "union_welfare"


def test_model_is_small_and_carded():
    folder = ROOT / "models" / "labor5"
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size <= 10_000_000
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "cross_validation_5_fold" in card and "Thời tiết" in card and "limitations" in card


@pytest.mark.slow
def test_recipe_recreates_the_shipped_model(tmp_path, labor5_rows):
    recipe = load_recipe(ROOT / "data" / "labor5.json")
    recipe.cv_folds = 0  # the shipped metrics are checked by the card test; predictions here
    train_model(recipe, tmp_path / "again", runtime={"cache_dir": tmp_path / "cache"})
    texts = [row["text"] for row in labor5_rows[::9]]
    again = newscat.load_model(tmp_path / "again").predict_proba(texts)
    np.testing.assert_allclose(again, newscat.load().predict_proba(texts), atol=1e-6)


def test_cli_classify_uses_the_shipped_model():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newscat.cli",
            "classify",
            "--json",
            "Áp thấp nhiệt đới mạnh lên thành bão, gió giật cấp 10",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    assert json.loads(result.stdout)["label"] == "weather"


@pytest.mark.slow
def test_wheel_carries_the_model(tmp_path):
    build = subprocess.run(  # -v: the build backend's warnings are shown
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "absent from the `packages` configuration" not in build.stdout + build.stderr
    (wheel,) = tmp_path.glob("newscat-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in ("model.skops", "vocabulary.txt.gz", "metadata.json", "README.md"):
        assert f"newscat/models/labor5/{part}" in names


def test_decision_function_of_the_shipped_model_agrees_with_predict(labor5_rows):
    model = newscat.load()
    texts = [row["text"] for row in labor5_rows[:100]]
    scores = model.decision_function(texts)
    assert scores.shape == (100, len(TOPICS))
    assert list(model.classes_[scores.argmax(axis=1)]) == list(model.predict(texts))
