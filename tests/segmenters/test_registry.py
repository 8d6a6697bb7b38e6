import multiprocessing
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from newscat.segmenters.cache import SegmentCache
from newscat.segmenters.registry import _KEEP_OPEN, _OPEN_CACHES, get_segmenter, segment_texts


def test_underthesea_joins_compound_words():
    assert get_segmenter("underthesea")("Công đoàn ngành Y tế Hà Nội").split() == [
        "Công_đoàn",
        "ngành",
        "Y_tế",
        "Hà_Nội",
    ]


def test_syllable_segmenter_splits_punctuation_keeps_numbers():
    assert get_segmenter("syllable")("Ngày 20/4, có 1.600 người.") == "Ngày 20/4 , có 1.600 người ."


def test_every_line_is_segmented_and_blank_lines_dropped():
    assert get_segmenter("syllable")("Mưa\n\n  to  \nở Huế") == "Mưa to ở Huế"


def test_unknown_segmenter_is_named():
    with pytest.raises(ValueError, match="unknown segmenter 'crf'"):
        get_segmenter("crf")


def test_cache_is_keyed_by_segmenter_and_text(tmp_path):
    cache = SegmentCache(tmp_path)
    cache.put_many("a/1", ["x"], ["X"])
    assert cache.get_many("a/1", ["x", "y"]) == ["X", None]
    assert cache.get_many("b/1", ["x"]) == [None]


def test_cache_writes_wait_for_no_disk_sync(tmp_path):
    cache = SegmentCache(tmp_path)
    with cache._connect() as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL: no sync per commit


def test_second_run_reads_from_cache(tmp_path, monkeypatch):
    texts = ["Mưa to ở Huế", "Bão số 3"]
    first = segment_texts(texts, "syllable", cache_dir=tmp_path)
    calls = []
    monkeypatch.setattr(
        "newscat.segmenters.registry._segment_all", lambda *a, **k: calls.append(a) or []
    )
    assert segment_texts(texts, "syllable", cache_dir=tmp_path) == first
    assert calls == []


def test_parallel_segmentation_equals_serial():
    texts = [f"Công đoàn cơ sở số {i} tặng quà" for i in range(450)]
    serial = segment_texts(texts, "underthesea", cache_dir=False)
    assert segment_texts(texts, "underthesea", cache_dir=False, n_jobs=2) == serial


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSCAT_CACHE_DIR", str(tmp_path))
    segment_texts(["Huế"], "syllable")
    assert (tmp_path / "segments.sqlite").exists()


def test_unusable_cache_warns_and_segments_anyway(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.warns(UserWarning, match="cannot be used"):
        assert segment_texts(["Mưa to"], "syllable", cache_dir=blocker) == ["Mưa to"]


def test_damaged_cache_database_warns(tmp_path):
    (tmp_path / "segments.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.warns(UserWarning, match="cannot be used"):
        assert segment_texts(["Mưa to"], "syllable", cache_dir=tmp_path) == ["Mưa to"]


def test_calls_reuse_one_connection_per_thread(tmp_path, monkeypatch):
    segment_texts(["Mưa to"], "syllable", cache_dir=tmp_path)
    opened = []
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: opened.append(a) or real_connect(*a, **k)
    )
    for i in range(5):
        segment_texts([f"Bão số {i}"], "syllable", cache_dir=tmp_path)
    assert opened == []
    with ThreadPoolExecutor(1) as pool:  # another thread opens its own
        done = pool.submit(segment_texts, ["Bão số 1"], "syllable", cache_dir=tmp_path)
        assert done.result() == ["Bão số 1"]
    assert len(opened) == 1


def test_a_forked_process_writes_through_its_own_connection(tmp_path):
    segment_texts(["Mưa to"], "syllable", cache_dir=tmp_path)
    process = multiprocessing.get_context("fork").Process(
        target=segment_texts, args=(["Nắng nóng"], "syllable"), kwargs={"cache_dir": tmp_path}
    )
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert SegmentCache(tmp_path).get_many(get_segmenter("syllable").id, ["Nắng nóng"]) == [
        "Nắng nóng"
    ]


def test_a_deleted_cache_folder_is_made_again(tmp_path):
    folder = tmp_path / "cache"
    segment_texts(["Mưa to"], "syllable", cache_dir=folder)
    shutil.rmtree(folder)
    segment_texts(["Bão lớn"], "syllable", cache_dir=folder)
    cached = SegmentCache(folder).get_many(get_segmenter("syllable").id, ["Bão lớn"])
    assert cached == ["Bão lớn"]


def test_only_the_last_caches_stay_open(tmp_path):
    folders = [tmp_path / str(i) for i in range(10)]
    for folder in folders:
        segment_texts(["Mưa to"], "syllable", cache_dir=folder)
    assert list(_OPEN_CACHES) == [str(folder) for folder in folders[-_KEEP_OPEN:]]
