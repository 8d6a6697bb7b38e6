"""Streaming archive readers: every format, every kind of bad record, counting and skipping."""

from __future__ import annotations

import codecs
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newscat import DataError
from newscat.readers.archive import Archive, Record, iter_records

PAGE = (
    "<html><head><meta charset='utf-8'><title>Bão số 3 gây mưa lớn</title></head><body>"
    "<nav><a href='/'>Trang chủ</a> <a href='/xh'>Xã hội</a></nav><article>"
    "<p>Mưa lớn kéo dài từ đêm qua khiến nhiều tuyến phố ở Hà Nội ngập sâu.</p>"
    "<p>Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết mưa còn kéo dài.</p>"
    "</article><footer>© Báo Lao Động</footer></body></html>"
)


def pairs(records):
    return [(r.id, r.text, r.error) for r in records]


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def pages(tmp_path):
    """A folder tree in every supported encoding, with files to skip and bad files."""
    root = tmp_path / "pages"
    (root / "b" / "c").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text("Công đoàn thăm công nhân", encoding="utf-8")
    (root / "b" / "bom8.TXT").write_bytes(codecs.BOM_UTF8 + "Bão số 3".encode())
    (root / "b" / "le16.txt").write_bytes("Mưa lớn\r\nở Huế".encode("utf-16"))
    (root / "b" / "be16.txt").write_bytes(codecs.BOM_UTF16_BE + "Cháy xưởng".encode("utf-16-be"))
    (root / "b" / "c" / "page.html").write_text(PAGE, encoding="utf-8")
    (root / "b" / "c" / "empty.htm").write_text("<html><body></body></html>", encoding="utf-8")
    (root / "bad.txt").write_bytes(b"M\xffa")
    (root / "blank.txt").write_text(" \n\t ", encoding="utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8")
    (root / ".hidden" / "x.txt").write_text("skip me", encoding="utf-8")
    (root / ".DS_Store.txt").write_text("skip me", encoding="utf-8")
    return root


def test_folder_ids_order_and_encodings(pages):
    records = list(iter_records(pages))
    assert [r.id for r in records] == [
        "a.txt",
        "bad.txt",
        "blank.txt",
        "b/be16.txt",
        "b/bom8.TXT",
        "b/le16.txt",
        "b/c/empty.htm",
        "b/c/page.html",
    ]
    texts = {r.id: r.text for r in records}
    assert texts["a.txt"] == "Công đoàn thăm công nhân"
    assert texts["b/bom8.TXT"] == "Bão số 3"
    assert texts["b/le16.txt"] == "Mưa lớn\r\nở Huế"
    assert texts["b/be16.txt"] == "Cháy xưởng"
    assert texts["b/c/page.html"].startswith("Bão số 3 gây mưa lớn\nMưa lớn kéo dài")
    assert "Trang chủ" not in texts["b/c/page.html"]


def test_folder_error_records_name_the_file_and_reason(pages):
    errors = {r.id: r.error for r in iter_records(pages) if r.error}
    assert errors == {
        "bad.txt": "bad.txt: cannot decode as utf-8: invalid start byte at byte 1; "
        "save the file as UTF-8",
        "blank.txt": "empty text",
        "b/c/empty.htm": "b/c/empty.htm: no article text found in the HTML page",
    }


def test_single_article_files_keep_the_path_given(pages):
    path = pages / "b" / "le16.txt"
    assert pairs(iter_records(path)) == [(str(path), "Mưa lớn\r\nở Huế", None)]


def test_html_is_resolved_lazily_when_asked(pages):
    records = list(Archive(pages / "b" / "c").records(resolve_html=False))
    assert [(r.text, r.html is not None) for r in records] == [(None, True), (None, True)]
    assert records[1].resolve().text.startswith("Bão số 3 gây mưa lớn")


def test_jsonl_ids_and_every_kind_of_bad_line(tmp_path):
    path = write_lines(
        tmp_path / "a.jsonl",
        [
            '{"id": "x1", "text": "Mưa lớn"}',
            '{"id": 42, "text": "Bắt trộm"}',
            '{"text": "không có id"}',
            "",
            "{bad json",
            '{"id": "m", "body": "x"}',
            '{"id": "n", "text": null}',
            '{"id": "i", "text": 7}',
            '["not", "an", "object"]',
            '{"id": "e", "text": "   "}',
            '{"id": "s", "text": "\\ud800"}',
            '{"id": "x1", "text": "trùng id"}',
        ],
    )
    with open(path, "ab") as f:
        f.write(b'{"id": "u", "text": "M\xffa"}\n')
    label = str(path)
    assert pairs(iter_records(path)) == [
        ("x1", "Mưa lớn", None),
        ("42", "Bắt trộm", None),
        (f"{label}:3", "không có id", None),
        (
            f"{label}:5",
            None,
            f"{label} line 5: invalid JSON: Expecting property name enclosed "
            "in double quotes (column 2)",
        ),
        ("m", None, f"{label} line 6: missing field 'text' (fields present: body, id)"),
        ("n", None, f"{label} line 7: field 'text' is null (fields present: id, text)"),
        ("i", None, f"{label} line 8: field 'text' is int, not text"),
        (f"{label}:9", None, f"{label} line 9: expected an object, got list"),
        ("e", None, "empty text"),
        ("s", None, f"{label} line 11: field 'text' is not valid UTF-8"),
        ("x1", "trùng id", None),
        (f"{label}:13", None, f"{label} line 13: not UTF-8 (invalid start byte at byte 22)"),
    ]


def test_jsonl_fields_are_configurable_and_a_bom_is_ignored(tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_bytes(codecs.BOM_UTF8 + '{"ma": "a1", "noi_dung": "Mưa"}\n'.encode())
    assert pairs(iter_records(path, text_field="noi_dung", id_field="ma")) == [("a1", "Mưa", None)]


def test_gzip_jsonl_and_a_truncated_one(tmp_path):
    lines = [json.dumps({"id": f"r{i}", "text": f"Bài số {i} " * 50}) for i in range(300)]
    data = gzip.compress("".join(line + "\n" for line in lines).encode())
    (tmp_path / "ok.jsonl.gz").write_bytes(data)
    assert [r.id for r in iter_records(tmp_path / "ok.jsonl.gz")] == [f"r{i}" for i in range(300)]
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    records = list(iter_records(cut))
    *good, last = records
    assert good and all(r.error is None for r in good)
    assert last.error.startswith(f"{cut}: unreadable from line {len(good) + 1}: ")
    assert Archive(cut).count() == len(records)  # counting meets the same end


def test_csv_streams_rows_with_line_numbers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(
        'ma,noi_dung\na1,"Mưa to, gió lớn"\n,"Tiêu đề\nthân bài"\n\na3\na4,""\na5,B\xe1o\n'.encode()
        + b"a6,M\xffa\n"
        + ("a7," + "x" * 200_000 + "\n").encode()
    )
    label = str(path)
    records = pairs(iter_records(path, text_field="noi_dung", id_field="ma"))
    assert records[:6] == [
        ("a1", "Mưa to, gió lớn", None),
        (f"{label}:3", "Tiêu đề\nthân bài", None),
        ("a3", None, f"{label} line 6: missing field 'noi_dung' (fields present: ma)"),
        ("a4", None, "empty text"),
        ("a5", "Báo", None),
        ("a6", None, f"{label} line 9: field 'noi_dung' is not valid UTF-8"),
    ]
    assert records[6][0] == "a7" and len(records[6][1]) == 200_000


def test_tsv_and_utf16_csv(tmp_path):
    (tmp_path / "a.tsv").write_text("id\ttext\nt1\tMưa, gió\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,text\nc1,Bão số 3\n", encoding="utf-16")
    records = iter_records([tmp_path / "a.tsv", tmp_path / "b.csv"])
    assert pairs(records) == [("t1", "Mưa, gió", None), ("c1", "Bão số 3", None)]


def test_csv_or_parquet_without_the_text_column_is_refused_up_front(tmp_path):
    (tmp_path / "a.csv").write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.csv: no column 'text' \(columns: id, body\)"):
        iter_records(tmp_path / "a.csv")
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "a.parquet")
    with pytest.raises(DataError, match=r"a\.parquet: no column 'text'"):
        Archive(tmp_path / "a.parquet")
    pq.write_table(pa.table({"text": [1]}), tmp_path / "n.parquet")
    with pytest.raises(DataError, match="column 'text' holds int64, not text"):
        Archive(tmp_path / "n.parquet")


@pytest.fixture
def parquet_file(tmp_path):
    path = tmp_path / "a.parquet"
    texts = [f"Bài {i}" if i % 7 else None for i in range(25)]
    pq.write_table(pa.table({"text": texts, "n": list(range(25))}), path, row_group_size=4)
    return path


def test_parquet_rows_in_row_groups_with_fallback_ids(parquet_file):
    records = list(iter_records(parquet_file))
    label = str(parquet_file)
    assert len(records) == 25 == Archive(parquet_file).count()
    assert pairs(records[1:2]) == [(f"{label}:2", "Bài 1", None)]
    assert records[7].error == f"{label} row 8: field 'text' is null (fields present: text)"
    with_ids = iter_records(parquet_file, id_field="n")
    assert [r.id for r in with_ids][:3] == ["0", "1", "2"]


def test_unknown_or_missing_inputs_raise_before_reading(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.xlsx: unknown input format; expected a folder"):
        iter_records([tmp_path / "a.xlsx"])
    with pytest.raises(DataError, match=r"b\.json: unknown input format \(one object per line"):
        iter_records(tmp_path / "b.json")
    with pytest.raises(DataError, match=r"nope\.jsonl: no such file or folder"):
        iter_records([tmp_path / "nope.jsonl"])
    with pytest.raises(DataError, match="no inputs given"):
        iter_records([])


@pytest.fixture
def mixed(tmp_path, pages, parquet_file):
    """One archive of every format."""
    jsonl = write_lines(
        tmp_path / "a.jsonl", [json.dumps({"id": f"j{i}", "text": f"Tin {i}"}) for i in range(9)]
    )
    jsonl.write_text(jsonl.read_text() + "{oops\n\n", encoding="utf-8")
    csv_path = tmp_path / "b.csv"
    csv_path.write_text("id,text\n" + "".join(f'c{i},"Dòng\n{i}"\n' for i in range(6)))
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"id": "g", "text": "Gzip"}\n'))
    return [jsonl, pages, csv_path, parquet_file, gz]


def test_count_and_skip_agree_with_reading(mixed):
    archive = Archive(mixed)
    everything = list(archive.records())
    assert archive.count() == len(everything) == 10 + 8 + 6 + 25 + 1
    for skip in (0, 1, 9, 10, 17, 18, 20, 24, 25, 31, 48, 49, 50, 60):
        assert list(archive.records(skip)) == everything[skip:], skip


def test_reading_is_deterministic_and_duplicate_ids_are_kept(mixed, tmp_path):
    twice = Archive(mixed + [mixed[0]])
    first, second = list(twice.records()), list(twice.records())
    assert first == second
    ids = [r.id for r in first]
    assert ids.count("j0") == 2


def test_count_stops_when_asked(mixed):
    import threading

    stop = threading.Event()
    stop.set()
    assert Archive(mixed).count(stop) is None


def test_records_are_frozen():
    record = Record("a", "text")
    with pytest.raises(AttributeError):
        record.text = "other"
