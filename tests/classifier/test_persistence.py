import gzip
import json
import shutil
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from newscat import ModelError, NewsClassifier, UntrustedModelError, load, load_model, save_model
from newscat.classifier.explanation import linear_model
from newscat.classifier.persistence import read_metadata

TEXTS = ["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 3
LABELS = ["weather", "weather", "crime", "crime"] * 3


@pytest.fixture
def saved(tmp_path):
    model = NewsClassifier(
        segmenter="syllable",
        min_df=1,
        max_df=1.0,
        label_names={"weather": "Thời tiết"},
    )
    model.fit(TEXTS, LABELS)
    return model, save_model(model, tmp_path / "m", name="demo", training_data={"n_documents": 12})


def test_round_trip_predicts_identically(saved):
    model, folder = saved
    again = load_model(folder)
    np.testing.assert_array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))
    assert again.get_params()["segmenter"] == "syllable"
    assert again.classify("mưa bão").name == "Thời tiết"


def test_coefficients_are_float32_and_read_in_place_after_fit_and_load(saved):
    model, folder = saved
    for fitted in (model, load_model(folder), load()):
        coef = linear_model(fitted.pipeline_.named_steps["model"]).coef_
        assert coef.dtype == np.float32 and coef.T.flags["C_CONTIGUOUS"]


def test_folder_holds_pipeline_metadata_and_card(saved):
    _, folder = saved
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "metadata.json",
        "model.skops",
        "vocabulary.txt.gz",
    ]
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert meta["labels"] == ["crime", "weather"] and meta["segmenter"] == "syllable"
    assert set(meta["versions"]) == {"newscat", "scikit-learn", "underthesea"}
    assert meta["training_data"] == {"n_documents": 12}
    assert "cache_dir" not in meta["params"]
    assert "Thời tiết" in (folder / "README.md").read_text(encoding="utf-8")


def test_card_states_the_uncertainty_rule_in_force(tmp_path):
    rules = {}
    for margin in (0.0, 0.2):
        model = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0, min_margin=margin)
        folder = save_model(model.fit(TEXTS, LABELS), tmp_path / str(margin))
        card = (folder / "README.md").read_text(encoding="utf-8")
        rules[margin] = next(line for line in card.splitlines() if "flagged uncertain" in line)
    assert rules[0.0].endswith("top score is below 0.5.")
    assert rules[0.2].endswith("top score is below 0.5 or the top two scores are within 0.2.")


def test_tampered_file_with_code_is_refused_and_names_the_type(saved, rehash):
    _, folder = saved
    evil = {"idf": np.ones(3), "model": Pipeline([("evil", FunctionTransformer(eval))])}
    sio.dump(evil, folder / "model.skops")
    rehash(folder)
    with pytest.raises(UntrustedModelError, match="builtins.eval"):
        load_model(folder)


def test_truncated_file_is_reported_as_corrupt(saved, rehash):
    _, folder = saved
    data = (folder / "model.skops").read_bytes()
    (folder / "model.skops").write_bytes(data[: len(data) // 2])
    rehash(folder)
    with pytest.raises(ModelError, match="model.skops is corrupt or truncated"):
        load_model(folder)


def test_garbage_file_is_reported_as_corrupt(saved, rehash):
    _, folder = saved
    (folder / "model.skops").write_bytes(b"not a zip at all")
    rehash(folder)
    with pytest.raises(ModelError, match="corrupt or truncated"):
        load_model(folder)


def test_zip_with_wrong_content_is_reported(saved, rehash):
    _, folder = saved
    with zipfile.ZipFile(folder / "model.skops", "w") as z:
        z.writestr("schema.json", "{}")
    rehash(folder)
    with pytest.raises(ModelError, match="corrupt or truncated"):
        load_model(folder)


def test_vocabulary_must_match_the_model(saved, rehash):
    _, folder = saved
    with gzip.open(folder / "vocabulary.txt.gz", "rt", encoding="utf-8") as f:
        terms = f.read().split("\n")
    with gzip.open(folder / "vocabulary.txt.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(terms[5:]))
    with pytest.raises(ModelError, match="vocabulary.txt.gz has .* terms; metadata.json records"):
        load_model(folder)
    rehash(folder)
    with pytest.raises(ModelError, match=r"\[idf\]: expected \d+ finite TF-IDF weights"):
        load_model(folder)


def test_damaged_vocabulary_is_reported(saved):
    _, folder = saved
    data = (folder / "vocabulary.txt.gz").read_bytes()
    (folder / "vocabulary.txt.gz").write_bytes(data[:20])
    with pytest.raises(ModelError, match="vocabulary.txt.gz is corrupt or truncated"):
        load_model(folder)


def test_skops_file_of_another_shape_is_refused(saved, rehash):
    _, folder = saved
    sio.dump({"weights": np.ones(2)}, folder / "model.skops")
    rehash(folder)
    with pytest.raises(ModelError, match="does not hold the newscat model metadata.json describes"):
        load_model(folder)


def test_incompatible_format_version_is_explained(saved):
    _, folder = saved
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    meta["format_version"] = 99
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="saved in model format 99 .* reads format 2"):
        load_model(folder)


def test_missing_pieces_are_named(saved, tmp_path):
    _, folder = saved
    with pytest.raises(ModelError, match="not a directory"):
        load_model(tmp_path / "nowhere")
    copy = shutil.copytree(folder, tmp_path / "copy")
    (copy / "model.skops").unlink()
    with pytest.raises(ModelError, match="model.skops is missing"):
        load_model(copy)
    (copy / "metadata.json").unlink()
    with pytest.raises(ModelError, match="metadata.json is missing"):
        load_model(copy)


def test_corrupt_metadata_is_named(saved):
    _, folder = saved
    (folder / "metadata.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="metadata.json is corrupt"):
        read_metadata(folder)


def test_labels_mismatch_is_detected(saved):
    _, folder = saved
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    meta["labels"] = ["a", "b"]
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="labels do not match the labels in metadata.json"):
        load_model(folder)


def test_load_caches_one_model_per_path(saved):
    _, folder = saved
    assert load(folder) is load(str(folder))


def test_round_trip_keeps_syllable_features_and_title_weight(tmp_path):
    model = NewsClassifier(
        segmenter="dictionary",
        syllable_features=True,
        title_weight=1,
        calibration_cv=2,
        min_df=1,
        max_df=1.0,
    ).fit(TEXTS, LABELS)
    again = load_model(save_model(model, tmp_path / "m"))
    assert again.syllable_features is True and again.title_weight == 1
    np.testing.assert_array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_model_saved_before_syllable_features_and_title_weight_loads(saved):
    model, folder = saved
    meta_path = folder / "metadata.json"
    metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    for name in ("syllable_features", "title_weight"):
        del metadata["params"][name]
    meta_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    again = load_model(folder)
    assert again.syllable_features is False and again.title_weight == 0
    np.testing.assert_array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))
