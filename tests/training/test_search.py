import json

import pytest

from newscat import DataError, NewsClassifier, load_model
from newscat.cli import main
from newscat.training.search import DEFAULT_GRID, load_grid, search_params


@pytest.fixture
def small_corpus(tmp_path, labor5_rows):
    """300 labor5 articles of four labels, as a JSONL file."""
    rows = [r for r in labor5_rows if r["label"] in ("weather", "crime", "events", "other")]
    path = tmp_path / "small.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:300]), encoding="utf-8"
    )
    return path, rows[:300]


def syllable_model(**params):
    return NewsClassifier(segmenter="syllable", **params)


def test_grid_search_measures_every_candidate_and_ranks_them(small_corpus):
    _, rows = small_corpus
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    grid = {"C": [0.001, 1.0], "ngram_range": [[1, 1], [1, 2]]}
    found = search_params(syllable_model(), texts, labels, grid, folds=3, method="grid")
    assert found["candidates"] == 4 and len(found["results"]) == 4
    ranks = [row["rank"] for row in found["results"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    means = [row["mean_macro_f1"] for row in found["results"]]
    assert means[0] == max(means) == found["best_macro_f1"]
    # a tiny C cannot separate four topics: the search must not pick it
    assert found["best_params"]["C"] == 1.0
    assert min(means) < found["best_macro_f1"] - 0.05


def test_halving_search_tries_candidates_on_growing_shares(small_corpus):
    _, rows = small_corpus
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    grid = {"C": [0.001, 0.5, 1.0], "title_weight": [0, 1], "class_weight": [None, "balanced"]}
    found = search_params(syllable_model(), texts, labels, grid, folds=3, method="halving")
    shares = {row["documents"] for row in found["results"]}
    assert len(shares) >= 2 and max(shares) <= len(texts)
    assert len(found["results"]) > found["candidates"]  # survivors measured again, on more
    assert found["best_params"]["C"] != 0.001


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"C": [1], "kernel": ["rbf"]}', r"grid.json: unknown parameter 'kernel'"),
        ('{"title_weight": [1, -1]}', r"grid.json: 'title_weight' value -1"),
        ('{"C": 1}', r"grid.json: 'C' must be a non-empty list"),
        ('{"syllable_features": [true]}', r"grid.json: .* needs a word segmenter"),
        ('{"C": [1],\n "C" 2}', r"grid.json line 2: invalid JSON"),
        ("[1, 2]", r"grid.json: expected a JSON object"),
    ],
)
def test_grid_files_are_checked_with_the_file_and_parameter_named(tmp_path, content, message):
    path = tmp_path / "grid.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_grid(path, syllable_model())


def test_a_missing_grid_file_is_named_and_the_default_grid_fits_the_segmenter(tmp_path):
    with pytest.raises(DataError, match=r"missing.json: no such grid file"):
        load_grid(tmp_path / "missing.json", syllable_model())
    default = load_grid(None, syllable_model())  # syllable features need a word segmenter
    assert default["syllable_features"] == [False] and default["C"] == DEFAULT_GRID["C"]
    word_default = load_grid(None, NewsClassifier(segmenter="dictionary"))
    assert word_default["syllable_features"] == [False, True]


def test_train_search_picks_a_setting_and_records_the_table(tmp_path, small_corpus, capsys):
    data, _ = small_corpus
    grid = tmp_path / "grid.json"
    grid.write_text('{"C": [0.001, 1.0], "title_weight": [0, 1]}', encoding="utf-8")
    output = tmp_path / "model"
    args = ["train", "--data", str(data), "--output", str(output), "--segmenter", "syllable"]
    args += ["--search", str(grid), "--search-method", "grid", "--cv", "3", "--no-cache"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "search: 4 settings, best macro-F1" in printed
    found = json.loads((output / "search.json").read_text(encoding="utf-8"))
    assert found["grid"] == str(grid) and found["folds"] == 3 and len(found["results"]) == 4
    model = load_model(output)
    assert model.C == found["best_params"]["C"] == 1.0
    assert model.title_weight == found["best_params"]["title_weight"]
    assert model.metadata_["training_data"]["search"]["results"] == found["results"]
    card = (output / "README.md").read_text(encoding="utf-8")
    assert "## Parameter search" in card and "by grid search with 3-fold" in card
    best = found["results"][0]
    assert f"| 1 | `{best['params']}` | {best['mean_macro_f1']:.4f} |" in card


def test_train_search_refuses_a_bad_grid_before_training(tmp_path, small_corpus, capsys):
    data, _ = small_corpus
    grid = tmp_path / "grid.json"
    grid.write_text('{"gamma": [1]}', encoding="utf-8")
    args = ["train", "--data", str(data), "--output", str(tmp_path / "m"), "--search", str(grid)]
    assert main([*args, "--segmenter", "syllable", "--no-cache"]) == 1
    assert "grid.json: unknown parameter 'gamma'" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
