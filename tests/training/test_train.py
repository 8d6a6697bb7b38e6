import json
import warnings

import pytest

from newscat import DataError, NewsClassifier, load_model
from newscat.readers.labelled import LabelledData, read_labelled
from newscat.training.evaluation import compute_metrics, slice_metrics
from newscat.training.train import cross_validate, data_slices, load_recipe, train_model


@pytest.fixture
def labor5_sample(tmp_path, labor5_rows):
    path = tmp_path / "sample.jsonl"
    rows = [r for r in labor5_rows if r["label"] in ("weather", "crime", "events")][:240]
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def write_recipe(tmp_path, data_path, **extra):
    recipe = {
        "name": "demo",
        "data": [{"path": str(data_path.relative_to(tmp_path))}],
        "params": {"segmenter": "syllable", "C": 0.5},
        "label_names": {"weather": "Thời tiết"},
        "cross_validation": {"folds": 3, "seed": 0},
        "limitations": ["toy"],
        **extra,
    }
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(recipe, ensure_ascii=False), encoding="utf-8")
    return path


def test_recipe_paths_are_relative_to_the_recipe(tmp_path, labor5_sample):
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample))
    assert recipe.data[0]["path"] == str(labor5_sample)
    assert recipe.cv_folds == 3 and recipe.params["segmenter"] == "syllable"


def test_train_from_recipe_saves_cv_metrics_and_card(tmp_path, labor5_sample):
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample))
    summary = train_model(recipe, tmp_path / "model", runtime={"cache_dir": False})
    assert summary["documents"] == 240 and summary["vocabulary"] > 1000
    model = load_model(tmp_path / "model")
    cv = model.metadata_["metrics"]["cross_validation_3_fold"]
    assert cv["n"] == 240 and cv["macro_f1"] > 0.8
    assert model.metadata_["training_data"]["recipe"].endswith("recipe.json")
    card = (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    assert "Thời tiết" in card and "cross_validation_3_fold" in card and "toy" in card


def test_same_recipe_gives_same_predictions(tmp_path, labor5_sample, labor5_rows):
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample, cross_validation={}))
    texts = [r["text"] for r in labor5_rows[-50:]]
    probas = []
    for name in ("a", "b"):
        train_model(recipe, tmp_path / name, runtime={"cache_dir": False})
        probas.append(load_model(tmp_path / name).predict_proba(texts).tolist())
    assert probas[0] == probas[1]


def test_extra_data_joins_training_folds_only(tmp_path, labor5_sample):
    extra_path = tmp_path / "pool.jsonl"
    extra_path.write_text(
        json.dumps({"text": "Trận đấu bóng đá tối qua", "category": "the thao"})
        + "\n"
        + json.dumps({"text": "Giá vàng tăng", "category": "kinh te"})
        + "\n",
        encoding="utf-8",
    )
    extra = [{"path": "pool.jsonl", "label_field": "category", "label_map": {"the thao": "events"}}]
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample, extra_training_data=extra))
    summary = train_model(recipe, tmp_path / "model", runtime={"cache_dir": False})
    assert summary["extra_documents"] == 1
    assert summary["metrics"]["cross_validation_3_fold"]["n"] == 240


def test_extra_data_leaves_out_hand_labelled_records_by_prefixed_id(tmp_path, labor5_sample):
    first = json.loads(labor5_sample.read_text(encoding="utf-8").splitlines()[0])
    prefix, _, own_id = first["id"].partition("/")
    extra_path = tmp_path / "pool.jsonl"
    extra_path.write_text(
        "".join(
            json.dumps({"id": id_, "text": first["text"], "category": "the thao"}) + "\n"
            for id_ in (own_id, "not-labelled")
        ),
        encoding="utf-8",
    )
    extra = [
        {
            "path": "pool.jsonl",
            "label_field": "category",
            "label_map": {"the thao": "events"},
            "id_prefix": prefix + "/",
        }
    ]
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample, extra_training_data=extra))
    summary = train_model(recipe, tmp_path / "model", runtime={"cache_dir": False})
    assert summary["extra_documents"] == 1


def test_cross_validate_reports_per_class():
    data = LabelledData()
    for i in range(6):
        data.add(f"mưa bão lớn {i}", "weather", str(i), "-")
        data.add(f"bắt kẻ trộm {i}", "crime", str(i), "-")
    model = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    result = cross_validate(model, data, folds=3)
    assert set(result["per_class"]) == {"crime", "weather"}


def test_recipe_errors_are_named(tmp_path):
    with pytest.raises(DataError, match="no such recipe file"):
        load_recipe(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{\n oops", encoding="utf-8")
    with pytest.raises(DataError, match="bad.json line 2: invalid JSON"):
        load_recipe(tmp_path / "bad.json")
    (tmp_path / "nodata.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match="missing field 'data'"):
        load_recipe(tmp_path / "nodata.json")


@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        ({"label_names": {"wether": "Thời tiết"}}, "label_names"),
        ({"params": {"segmenter": "syllable", "class_weight": {"wether": 2.0}}}, "class_weight"),
    ],
)
def test_recipe_naming_a_label_its_data_lacks_is_refused_before_training(
    tmp_path, labor5_sample, extra, setting
):
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample, **extra))
    with pytest.raises(DataError, match=rf"recipe.json: {setting} names 'wether'.*'crime'"):
        train_model(recipe, tmp_path / "model", runtime={"cache_dir": False})
    assert not (tmp_path / "model").exists()


def test_slices_split_by_era_length_and_how_picked(tmp_path):
    rows = [
        {"id": "a", "label": "weather", "text": "Mưa lớn", "picked": "random"},
        {"id": "b", "label": "crime", "text": "Trộm " * 80, "picked": "keyword"},
    ]
    recent = tmp_path / "recent.jsonl"
    recent.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"id": "c", "label": "crime", "text": "Bắt trộm"}) + "\n")
    recipe = load_recipe(
        write_recipe(
            tmp_path,
            old,
            data=[
                {"path": "old.jsonl", "era": "2005-21"},
                {"path": "recent.jsonl", "era": "2025-26"},
            ],
        )
    )
    data = LabelledData()
    for entry in recipe.data:
        data.extend(read_labelled(entry["path"]))
    slices = {name: mask.tolist() for name, mask in data_slices(recipe, data).items()}
    assert slices["era 2005-21"] == [True, False, False]
    assert slices["era 2025-26"] == [False, True, True]
    assert slices["era 2025-26, picked at random"] == [False, True, False]
    assert slices["up to 300 characters"] == [True, True, False]
    assert slices["picked otherwise"] == [True, False, True]
    metrics = slice_metrics(data.labels, ["crime", "weather", "other"], slices, [False, True, True])
    assert metrics["era 2025-26"]["n"] == 2 and metrics["era 2025-26"]["accuracy"] == 0.5
    assert metrics["era 2005-21"]["macro_f1"] == 1.0
    assert metrics["era 2025-26"]["per_class"]["crime"]["recall"] == 0.0
    assert metrics["era 2025-26"]["uncertain"]["share"] == 1.0
    assert "era 2025-26, picked at random" in metrics and "over 300 characters" in metrics


def test_cross_validation_writes_its_mistakes_and_chooses_thresholds(tmp_path, labor5_sample):
    cv_settings = {"folds": 3, "seed": 0, "uncertainty": {"accuracy": 0.98}}
    recipe = load_recipe(write_recipe(tmp_path, labor5_sample, cross_validation=cv_settings))
    train_model(recipe, tmp_path / "m", runtime={"cache_dir": False}, errors=tmp_path / "e.jsonl")
    wrong = [json.loads(line) for line in (tmp_path / "e.jsonl").open(encoding="utf-8")]
    model = load_model(tmp_path / "m")
    cv = model.metadata_["metrics"]["cross_validation_3_fold"]
    assert len(wrong) == round(cv["n"] * (1 - cv["accuracy"])) > 0
    gold = {r["id"]: r["label"] for r in map(json.loads, labor5_sample.open(encoding="utf-8"))}
    for row in wrong:
        assert set(row) == {"id", "label", "predicted", "score", "text"}
        assert row["label"] == gold[row["id"]] != row["predicted"] and len(row["text"]) <= 300
    assert "up to 300 characters" in cv["slices"]
    chosen = cv["thresholds"]
    assert (model.min_score, model.min_margin) == (chosen["min_score"], chosen["min_margin"])
    assert cv["uncertain"]["accuracy_when_certain"] >= 0.98 and cv["uncertain"]["share"] < 0.5


def test_a_slice_of_one_label_gets_its_confusion_matrix_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics = slice_metrics(
            ["a", "a", "b", "b"], ["a", None, "b", "a"], {"only a": [True, True, False, False]}
        )
        whole = compute_metrics(["a", "a", "b", "b"], ["a", None, "b", "a"])
    assert metrics["only a"]["confusion_matrix"] == [[1]]
    assert whole["confusion_matrix"] == [[1, 0], [1, 1]]
