"""Model folders from anywhere: malformed, altered, oversized or special files, crashed
saves, and the model cache. Every problem is one ModelError naming the file."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import threading
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pytest
import sklearn
import skops.io as sio

import newscat
from newscat import ModelError, ModelVersionWarning, NewsClassifier, load, load_model, save_model
from newscat.classifier.metadata import DATA_PARAMS, PARAM_FIELDS, RUNTIME_PARAMS
from newscat.classifier.persistence import read_metadata
from newscat.cli import main
from newscat.segmenters.cache import default_cache_dir

TEXTS = ["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 3
LABELS = ["weather", "weather", "crime", "crime"] * 3
OTHER_TEXTS = ["công đoàn tặng quà", "quà tết công nhân", "cháy nhà xưởng", "tai nạn lao động"] * 3
OTHER_LABELS = ["union", "union", "safety", "safety"] * 3


def _fit(texts, labels) -> NewsClassifier:
    model = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    return model.fit(texts, labels)


@pytest.fixture(scope="module")
def model_a() -> NewsClassifier:
    return _fit(TEXTS, LABELS)


@pytest.fixture(scope="module")
def model_b() -> NewsClassifier:
    return _fit(OTHER_TEXTS, OTHER_LABELS)


@pytest.fixture
def folder(tmp_path, model_a):
    return save_model(model_a, tmp_path / "m", name="demo")


def _edit_metadata(folder, change) -> None:
    path = folder / "metadata.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    change(metadata)
    path.write_text(json.dumps(metadata), encoding="utf-8")


def _terms(folder) -> list[str]:
    return gzip.decompress((folder / "vocabulary.txt.gz").read_bytes()).decode().split("\n")[:-1]


def _write_vocabulary(folder, content: bytes) -> None:
    (folder / "vocabulary.txt.gz").write_bytes(gzip.compress(content))


# ------------------------------------------------------------------ metadata.json
def _setter(*keys, value):
    def change(metadata):
        target = metadata
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


MALFORMED = {
    "params is a string": (_setter("params", value="C=1"), r"params must be an object"),
    "unknown top-level key": (_setter("extra", value=1), r"unknown key extra"),
    "unknown parameter": (_setter("params", "loss", value="hinge"), r"unknown key params.loss"),
    "ngram_range 5": (_setter("params", "ngram_range", value=5), r"params.ngram_range must be"),
    "ngram_range too long": (
        _setter("params", "ngram_range", value=[1, 50]),
        r"1 <= low <= high <= 5",
    ),
    "max_chars as text": (_setter("params", "max_chars", value="100"), r"params.max_chars must"),
    "max_chars as bool": (_setter("params", "max_chars", value=True), r"params.max_chars must"),
    "huge title_weight": (
        _setter("params", "title_weight", value=10**12),
        r"params.title_weight must be an integer from 0 to 100",
    ),
    "negative C": (_setter("params", "C", value=-1.0), r"params.C must be a number above 0"),
    "labels not a list": (_setter("labels", value="crime"), r"labels must be a list"),
    "duplicated labels": (_setter("labels", value=["a", "a"]), r"two or more distinct"),
    "label_names a list": (_setter("label_names", value=["x"]), r"label_names must be an object"),
    "segmenter unknown": (_setter("segmenter", value="magic"), r"segmenter must be one of"),
    "segmenters differ": (_setter("segmenter", value="dictionary"), r"segmenter and params"),
    "vocabulary missing": (lambda m: m.pop("vocabulary"), r"vocabulary is missing"),
    "vocabulary announces a huge size": (
        _setter("vocabulary", "bytes", value=10**12),
        r"vocabulary.bytes must be an integer from 1 to",
    ),
    "hash is not hex": (_setter("state", "sha256", value="x" * 64), r"state.sha256 must be"),
    "versions nested": (_setter("versions", value={"a": {"b": 1}}), r"versions.a must be a str"),
    "deep training_data": (
        _setter("training_data", value=json.loads("[" * 40 + "]" * 40)),
        r"training_data is nested more than 16 levels",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_metadata_is_one_model_error_naming_the_key(folder, case):
    change, message = MALFORMED[case]
    _edit_metadata(folder, change)
    with pytest.raises(ModelError, match=message) as caught:
        load_model(folder)
    assert str(folder / "metadata.json") in str(caught.value)


def test_nan_and_infinity_are_refused(folder):
    path = folder / "metadata.json"
    path.write_text(path.read_text().replace('"min_score": 0.5', '"min_score": NaN'))
    with pytest.raises(ModelError, match="params.min_score must be a number from 0.0 to 1.0"):
        load_model(folder)


def test_metadata_that_is_not_an_object_is_refused(folder):
    (folder / "metadata.json").write_text("[1, 2]")
    with pytest.raises(ModelError, match="does not describe a newscat model"):
        load_model(folder)


def test_100k_deep_json_is_refused_without_recursion_error(folder):
    (folder / "metadata.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelError, match="metadata.json is corrupt: JSON nested too deeply"):
        load_model(folder)


def test_oversized_metadata_is_refused_before_parsing(folder):
    _edit_metadata(folder, _setter("description", value="x" * 2_000_000))
    with pytest.raises(ModelError, match=r"metadata.json is 2,00\d,\d+ bytes, more than 1,000,000"):
        load_model(folder)


def test_known_parameters_are_the_classifier_parameters():
    expected = set(NewsClassifier().get_params())
    assert set(PARAM_FIELDS) | set(DATA_PARAMS) == expected
    assert not set(RUNTIME_PARAMS) & expected  # machine settings are not model parameters


@pytest.mark.parametrize("setting", RUNTIME_PARAMS)
def test_runtime_settings_in_a_model_file_are_refused(folder, setting):
    _edit_metadata(folder, _setter("params", setting, value="/tmp/elsewhere"))
    with pytest.raises(ModelError, match=f"params.{setting} is a setting of the machine"):
        load_model(folder)


def test_the_users_cache_folder_wins(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSCAT_CACHE_DIR", str(tmp_path / "mine"))
    model = load_model(folder)
    assert not set(RUNTIME_PARAMS) & set(model.get_params())
    assert default_cache_dir() == tmp_path / "mine"


def test_a_model_saved_with_another_sklearn_warns_naming_both_versions(folder):
    _edit_metadata(folder, _setter("versions", "scikit-learn", value="0.24.2"))
    with pytest.warns(ModelVersionWarning, match=f"scikit-learn 0.24.2 .* {sklearn.__version__}"):
        model = load_model(folder)
    assert model.predict(["mưa bão"])[0] == "weather"


def test_the_same_sklearn_does_not_warn(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(folder)


# ------------------------------------------------------------ special files
def _in_thread(function, seconds: float = 20):
    """Run ``function``; fail instead of hanging if it does not return in time."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "loading blocked"
    return outcome


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("name", ["metadata.json", "vocabulary.txt.gz", "model.skops"])
def test_a_file_linked_to_a_device_is_refused(folder, name):
    (folder / name).unlink()
    (folder / name).symlink_to("/dev/zero")
    outcome = _in_thread(lambda: load_model(folder))
    assert isinstance(outcome.get("error"), ModelError)
    assert f"{name} is not a regular file" in str(outcome["error"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("name", ["metadata.json", "vocabulary.txt.gz"])
def test_a_fifo_is_refused_without_blocking(folder, name):
    (folder / name).unlink()
    os.mkfifo(folder / name)
    outcome = _in_thread(lambda: load_model(folder))
    assert isinstance(outcome.get("error"), ModelError)
    assert f"{name} is not a regular file" in str(outcome["error"])


def test_a_folder_in_place_of_a_file_is_refused(folder):
    (folder / "model.skops").unlink()
    (folder / "model.skops").mkdir()
    with pytest.raises(ModelError, match="model.skops is not a regular file"):
        load_model(folder)


def test_a_symlink_to_a_regular_file_loads(folder, tmp_path):
    moved = tmp_path / "elsewhere.skops"
    shutil.move(folder / "model.skops", moved)
    (folder / "model.skops").symlink_to(moved)
    assert load_model(folder).predict(["mưa bão"])[0] == "weather"


# --------------------------------------------------------------- vocabulary
def test_a_duplicated_term_is_refused_with_its_line(folder, rehash):
    terms = _terms(folder)
    terms[3] = terms[1]
    _write_vocabulary(folder, ("\n".join(terms) + "\n").encode())
    with pytest.raises(ModelError, match="vocabulary.txt.gz holds more than the 135 bytes"):
        load_model(folder)
    rehash(folder)
    with pytest.raises(ModelError, match=f"line 4: term '{terms[1]}' is duplicated"):
        load_model(folder)


def test_a_swapped_pair_of_lines_is_refused(folder):
    terms = _terms(folder)
    terms[0], terms[1] = terms[1], terms[0]
    _write_vocabulary(folder, ("\n".join(terms) + "\n").encode())
    with pytest.raises(ModelError, match="vocabulary.txt.gz does not match the size and SHA-256"):
        load_model(folder)


def test_crlf_line_ends_are_refused(folder):
    _write_vocabulary(folder, ("\r\n".join(_terms(folder)) + "\r\n").encode())
    with pytest.raises(ModelError, match="vocabulary.txt.gz line 1: a CR character"):
        load_model(folder)


def test_an_empty_term_is_refused(folder):
    terms = _terms(folder)
    terms[2] = ""
    _write_vocabulary(folder, ("\n".join(terms) + "\n").encode())
    with pytest.raises(ModelError, match="vocabulary.txt.gz line 3: an empty term"):
        load_model(folder)


def test_a_truncated_vocabulary_is_refused(folder):
    _write_vocabulary(folder, "\n".join(_terms(folder)).encode())
    with pytest.raises(ModelError, match="truncated: the last line has no line end"):
        load_model(folder)


def _gzip_of_newlines(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    chunk = b"\n" * 2**20
    parts = [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join(parts) + packer.flush()


def test_a_decompression_bomb_is_stopped_at_the_recorded_size(folder):
    bomb = _gzip_of_newlines(256 * 2**20)  # 256 MB of newlines in about 250 KB
    (folder / "vocabulary.txt.gz").write_bytes(bomb)
    with pytest.raises(ModelError, match=r"vocabulary.txt.gz is 2\d\d,\d+ bytes, more than"):
        load_model(folder)
    # metadata altered to let the packed file through: unpacking stops at the size it records
    _edit_metadata(folder, _setter("vocabulary", "bytes", value=len(bomb)))
    tracemalloc.start()
    try:
        with pytest.raises(ModelError, match=f"holds more than the {len(bomb):,} bytes"):
            load_model(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


# --------------------------------------------------------------- model.skops
def test_weights_of_another_model_are_refused(folder, tmp_path, model_b):
    other = save_model(model_b, tmp_path / "other")
    shutil.copy(other / "model.skops", folder / "model.skops")
    with pytest.raises(ModelError, match="model.skops does not match the size and SHA-256"):
        load_model(folder)


def _npy(shape, dtype="<f8", data: bytes = b"") -> bytes:
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    text = repr(header).encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + data


def _replace_member(folder, rehash, name: str, content: bytes) -> None:
    """Put ``content`` in model.skops in place of its largest .npy member."""
    path = folder / "model.skops"
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    largest = max((n for n in members if n.endswith(".npy")), key=lambda n: len(members[n]))
    del members[largest]
    members[name] = content
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    rehash(folder)


def test_an_array_that_unpacks_beyond_the_model_size_is_refused_unread(folder, rehash):
    zeros = _npy((40_000_000,), data=bytes(320_000_000))  # 320 MB, about 300 KB packed
    _replace_member(folder, rehash, "1.npy", zeros)
    del zeros
    tracemalloc.start()
    try:
        with pytest.raises(ModelError, match=r"model.skops unpacks to more than the [\d,]+ bytes"):
            load_model(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_an_array_larger_than_the_model_can_hold_is_refused(folder, rehash):
    _replace_member(folder, rehash, "1.npy", _npy((125_000,), data=bytes(1_000_000)))
    with pytest.raises(ModelError, match=r"1.npy unpacks to 1,000,\d+ bytes, more than the 4,368"):
        load_model(folder)


def test_an_array_header_declaring_a_huge_shape_is_refused(folder, rehash):
    _replace_member(folder, rehash, "1.npy", _npy((300_000_000,)))
    with pytest.raises(ModelError, match=r"1.npy declares an array of shape \(300000000,\)"):
        load_model(folder)


def test_an_unexpected_member_is_refused(folder, rehash):
    _replace_member(folder, rehash, "payload.pkl", b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match="unexpected member 'payload.pkl'"):
        load_model(folder)


def test_non_finite_weights_are_refused(folder, rehash, model_a):
    state = {"idf": np.full(len(_terms(folder)), np.nan), "model": model_a.pipeline_[-1]}
    sio.dump(state, folder / "model.skops")
    rehash(folder)
    with pytest.raises(ModelError, match=r"\[idf\]: expected \d+ finite TF-IDF weights"):
        load_model(folder)


def test_an_estimator_newscat_does_not_train_is_refused(folder, rehash, model_a):
    from sklearn.dummy import DummyClassifier

    dummy = DummyClassifier().fit(np.zeros((4, len(_terms(folder)))), ["crime", "weather"] * 2)
    sio.dump({"idf": model_a.pipeline_[0].idf_, "model": dummy}, folder / "model.skops")
    rehash(folder)
    with pytest.raises(ModelError, match=r"\[model\]: DummyClassifier is not a model newscat"):
        load_model(folder)


# ------------------------------------------------------------------ saving
def test_an_existing_model_is_replaced_only_with_overwrite(folder, model_b):
    before = (folder / "model.skops").read_bytes()
    with pytest.raises(FileExistsError, match="already holds a model; pass overwrite=True"):
        save_model(model_b, folder)
    assert (folder / "model.skops").read_bytes() == before
    save_model(model_b, folder, overwrite=True)
    assert list(load_model(folder).classes_) == ["safety", "union"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["m"]  # nothing left behind


def test_a_folder_of_other_files_is_never_replaced(tmp_path, model_a):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="holds other files and no model"):
        save_model(model_a, tmp_path / "notes", overwrite=True)
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="it is a file, not a folder"):
        save_model(model_a, tmp_path / "file", overwrite=True)


def test_an_empty_folder_is_filled(tmp_path, model_a):
    (tmp_path / "empty").mkdir()
    save_model(model_a, tmp_path / "empty")
    assert load_model(tmp_path / "empty").predict(["mưa bão"])[0] == "weather"


def test_a_model_that_could_not_be_loaded_is_not_saved(tmp_path, model_a):
    model = _fit(TEXTS, LABELS).set_params(title_weight=1000)
    with pytest.raises(ModelError, match="cannot save .* params.title_weight must be"):
        save_model(model, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_train_command_refuses_an_existing_model_before_training(tmp_path, folder, capsys):
    data = tmp_path / "train.jsonl"
    rows = [{"text": t, "label": y} for t, y in zip(OTHER_TEXTS, OTHER_LABELS)]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    args = ["--data", str(data), "--output", str(folder), "--segmenter", "syllable", "--no-cache"]
    assert main(["train", *args]) == 1
    err = capsys.readouterr().err
    assert "already holds a model" in err and "--overwrite" in err and len(err.splitlines()) == 1
    assert list(load_model(folder).classes_) == ["crime", "weather"]
    assert main(["train", *args, "--overwrite", "--no-progress"]) == 0
    assert list(load_model(folder).classes_) == ["safety", "union"]


_SAVE_AND_DIE = """
import os, pickle, shutil, signal, sys
from pathlib import Path
from newscat import save_model

model_a, model_b = (pickle.loads(Path(path).read_bytes()) for path in sys.argv[1:3])
root = Path(sys.argv[3])


def killed_at(step_number, function):
    def wrapped(*args, **kwargs):
        global steps
        steps += 1
        if steps == step_number:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)
    return wrapped


for kill_at in range(1, 40):
    target = root / str(kill_at) / "model"
    save_model(model_a, target)
    pid = os.fork()
    if pid == 0:  # the child saves B over A and dies before its kill_at-th step
        steps = 0
        os.fsync, os.rename, os.replace, shutil.rmtree = (
            killed_at(kill_at, f) for f in (os.fsync, os.rename, os.replace, shutil.rmtree)
        )
        save_model(model_b, target, overwrite=True)
        os._exit(0)
    status = os.waitpid(pid, 0)[1]
    print(kill_at, "finished" if os.WIFEXITED(status) else "killed", flush=True)
    if os.WIFEXITED(status):
        break
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_a_save_killed_at_any_step_leaves_the_old_model_or_the_new(tmp_path, model_a, model_b):
    """Kill a process saving model B over model A before each of its file-system steps
    (each file synced, each rename, the removal of A): the folder then loads as A or as
    B, never a mix."""
    for name, model in (("a", model_a), ("b", model_b)):
        (tmp_path / f"{name}.pickle").write_bytes(pickle.dumps(model))
    runs = tmp_path / "runs"
    driver = subprocess.run(
        [
            sys.executable,
            "-c",
            _SAVE_AND_DIE,
            str(tmp_path / "a.pickle"),
            str(tmp_path / "b.pickle"),
            str(runs),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert driver.returncode == 0, driver.stderr
    outcomes = [line.split() for line in driver.stdout.splitlines()]
    assert [o[1] for o in outcomes] == ["killed"] * (len(outcomes) - 1) + ["finished"]
    assert len(outcomes) >= 8  # 4 files and the folder synced, 2 renames, A removed
    probe = TEXTS[:4] + OTHER_TEXTS[:4]
    expected = {"A": model_a.predict_proba(probe), "B": model_b.predict_proba(probe)}
    seen = []
    for kill_at, _ in outcomes:
        proba = load_model(runs / kill_at / "model").predict_proba(probe)
        which = [name for name, value in expected.items() if np.array_equal(proba, value)]
        assert len(which) == 1, f"killed at step {kill_at}: neither model A nor B"
        seen.append(which[0])
    # A until the new folder is renamed in, then B: the switch happens exactly once
    assert seen == sorted(seen) and seen[0] == "A" and seen[-2:] == ["B", "B"], seen


def test_a_crash_between_the_two_renames_is_recovered(tmp_path, model_a, model_b):
    target = save_model(model_a, tmp_path / "m")
    os.rename(target, tmp_path / ".m.replaced")  # as a save dying after its first rename
    assert load_model(target).predict(["mưa bão"])[0] == "weather"
    assert read_metadata(target)["labels"] == ["crime", "weather"]
    with pytest.raises(FileExistsError, match="already holds a model"):
        save_model(model_b, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    save_model(model_b, target, overwrite=True)
    assert list(load_model(target).classes_) == ["safety", "union"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_the_staging_folder_of_a_killed_save_is_removed_by_the_next(tmp_path, model_a):
    import signal
    import socket

    target = tmp_path / "m"
    pid = os.fork()
    if pid == 0:  # dies at its first fsync, its staging folder half written
        os.fsync = lambda _: os.kill(os.getpid(), signal.SIGKILL)
        save_model(model_a, target)
        os._exit(0)
    assert os.WIFSIGNALED(os.waitpid(pid, 0)[1])
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(f".m.new-{socket.gethostname()}-{pid}-")
    live = tmp_path / f".m.new-{socket.gethostname()}-{os.getpid()}-0"  # a save under way
    elsewhere = tmp_path / ".m.new-otherhost-1-0"  # a host sharing the folder
    live.mkdir()
    elsewhere.mkdir()
    save_model(model_a, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m", live.name, elsewhere.name])
    assert load_model(target).predict(["mưa bão"])[0] == "weather"


# ------------------------------------------------------------------ the cache
def test_load_reloads_a_model_saved_again_in_the_same_process(tmp_path, model_a, model_b):
    folder = save_model(model_a, tmp_path / "m")
    first = load(folder)
    assert load(str(folder)) is first
    os.symlink(folder, tmp_path / "link")
    assert load(tmp_path / "link") is first  # same folder, however it is named
    save_model(model_b, folder, overwrite=True)
    again = load(folder)
    assert again is not first and list(again.classes_) == ["safety", "union"]


def test_cli_reports_a_bad_model_in_one_line(folder, capsys):
    _edit_metadata(folder, _setter("params", "ngram_range", value=5))
    assert main(["classify", "--model", str(folder), "mưa bão"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "params.ngram_range must be" in err
    assert newscat.ModelVersionWarning is ModelVersionWarning


@pytest.mark.parametrize("top_k", [0, -1, 1.5, True])
def test_top_k_below_one_or_not_an_integer_is_refused(small_model_dir, top_k):
    model = load_model(small_model_dir)
    with pytest.raises(ValueError, match=f"top_k must be an integer of at least 1, got {top_k!r}"):
        model.classify("Bão số 3 gây mưa lớn", top_k=top_k)
    assert len(model.classify("Bão số 3 gây mưa lớn", top_k=99).top_k) == len(model.classes_)


def test_a_saved_model_folder_follows_the_umask(tmp_path, small_model_dir):
    old = os.umask(0o022)
    try:
        folder = save_model(load_model(small_model_dir), tmp_path / "shared-model")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
