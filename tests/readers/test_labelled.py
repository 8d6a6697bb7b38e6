import codecs
import gzip
import json
import shutil

import pytest

from newscat import DataError
from newscat.readers.labelled import read_labelled
from newscat.text.decode import decode_text


def write_jsonl(path, rows):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_jsonl_and_gz_combined(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": "Mưa to", "label": "weather"}])
    b = tmp_path / "b.jsonl.gz"
    with gzip.open(b, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": "Bắt trộm", "label": "crime"}) + "\n")
    data = read_labelled([a, b])
    assert data.texts == ["Mưa to", "Bắt trộm"] and data.labels == ["weather", "crime"]
    assert data.ids == ["1", f"{b} line 1"]


def test_configurable_field_names(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"body": "Mưa", "topic": "weather"}])
    data = read_labelled(path, text_field="body", label_field="topic")
    assert data.labels == ["weather"]


def test_csv_and_tsv_with_configurable_columns(tmp_path):
    (tmp_path / "a.csv").write_text('noi_dung,nhan\n"Mưa to, gió lớn",weather\n', encoding="utf-8")
    (tmp_path / "b.tsv").write_text("noi_dung\tnhan\nBắt trộm\tcrime\n", encoding="utf-8-sig")
    data = read_labelled(
        [tmp_path / "a.csv", tmp_path / "b.tsv"], text_field="noi_dung", label_field="nhan"
    )
    assert data.texts == ["Mưa to, gió lớn", "Bắt trộm"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_folder_per_label_in_every_encoding(tmp_path, encoding):
    folder = tmp_path / "corpus" / "Thoi tiet"
    folder.mkdir(parents=True)
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    (folder / "a.txt").write_bytes(bom + "Mưa lớn ở Huế\r\n".encode(encoding))
    data = read_labelled(tmp_path / "corpus")
    assert data.labels == ["Thoi tiet"] and data.texts[0].strip() == "Mưa lớn ở Huế"


def test_vntc_original_layout(shared_data):
    data = read_labelled(shared_data / "vntc" / "raw_sample" / "Train_Full")
    assert len(data) == 30 and len(set(data.labels)) == 10
    assert all("\ufeff" not in text for text in data.texts)


def test_missing_field_names_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "a", "label": "x"}, {"text": "b"}])
    with pytest.raises(
        DataError, match=r"a.jsonl line 2: missing field 'label' \(fields present: text\)"
    ):
        read_labelled(path)


def test_missing_csv_column_names_line(tmp_path):
    (tmp_path / "a.csv").write_text("text,topic\nMưa,weather\n", encoding="utf-8")
    with pytest.raises(DataError, match="a.csv line 2: missing field 'label'"):
        read_labelled(tmp_path / "a.csv")


def test_invalid_json_names_line(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "a", "label": "x"}\n{oops\n', encoding="utf-8")
    with pytest.raises(DataError, match="a.jsonl line 2: invalid JSON"):
        read_labelled(tmp_path / "a.jsonl")


def test_undecodable_txt_names_the_file(tmp_path):
    folder = tmp_path / "corpus" / "x"
    folder.mkdir(parents=True)
    (folder / "bad.txt").write_bytes("Mưa".encode("cp1258", errors="replace") + b"\xff\xfe\xfa")
    with pytest.raises(DataError, match=r"bad.txt: cannot decode as utf-8.*save the file as UTF-8"):
        read_labelled(tmp_path / "corpus")


def test_undecodable_jsonl_names_the_file(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b'{"text": "\xff", "label": "x"}\n')
    with pytest.raises(DataError, match="a.jsonl line 1: not UTF-8"):
        read_labelled(tmp_path / "a.jsonl")


def test_truncated_gzip_is_named(tmp_path, shared_data):
    shutil.copy(shared_data / "vntc" / "train.jsonl.gz", tmp_path / "t.jsonl.gz")
    data = (tmp_path / "t.jsonl.gz").read_bytes()[:5000]
    (tmp_path / "t.jsonl.gz").write_bytes(data)
    with pytest.raises(DataError, match="t.jsonl.gz: unreadable from line"):
        read_labelled(tmp_path / "t.jsonl.gz")


def test_empty_text_names_line(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "  ", "label": "x"}])
    with pytest.raises(DataError, match="a.jsonl line 1: empty text"):
        read_labelled(path)


def test_empty_texts_can_be_skipped_and_are_counted(tmp_path):
    rows = [{"text": "Mưa", "label": "x"}, {"text": " ", "label": "x"}]
    data = read_labelled(write_jsonl(tmp_path / "a.jsonl", rows), skip_empty=True)
    assert data.texts == ["Mưa"] and data.skipped == [f"{tmp_path / 'a.jsonl'} line 2: empty text"]
    assert data.summary()["skipped"]["count"] == 1


def test_empty_dataset_and_unknown_format(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="no labelled texts in"):
        read_labelled(tmp_path / "a.jsonl")
    (tmp_path / "a.xlsx").write_bytes(b"")
    with pytest.raises(DataError, match="a.xlsx: unknown format"):
        read_labelled(tmp_path / "a.xlsx")
    with pytest.raises(DataError, match="nope.jsonl: no such file"):
        read_labelled(tmp_path / "nope.jsonl")


def test_folder_without_label_folders(tmp_path):
    with pytest.raises(DataError, match="no .txt files in label folders"):
        read_labelled(tmp_path)


def test_summary_hash_changes_with_content():
    from newscat.readers.labelled import LabelledData

    a, b = LabelledData(), LabelledData()
    a.add("Mưa", "weather", "1", "-")
    b.add("Mưa", "crime", "1", "-")
    assert a.summary()["label_counts"] == {"weather": 1}
    assert a.summary()["sha256"] != b.summary()["sha256"]


def test_decode_text_utf16_without_bom_is_refused():
    with pytest.raises(DataError, match="x.txt: cannot decode as utf-8"):
        decode_text("Huế".encode("utf-16-le"), "x.txt")


def test_utf16_tsv_with_bom_is_read(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_bytes("text\tlabel\nMưa lớn ở Huế\tweather\n".encode("utf-16"))
    assert read_labelled(path).texts == ["Mưa lớn ở Huế"]


def test_json_line_that_is_not_an_object_names_line(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "Mưa", "label": "w"}\n["Mưa", "w"]\n')
    with pytest.raises(DataError, match="a.jsonl line 2: expected an object, got list"):
        read_labelled(tmp_path / "a.jsonl")


def test_undecodable_csv_row_names_line_and_field(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"text,label\nM\xc6\xb0a,weather\nM\xff,weather\n")
    with pytest.raises(DataError, match="a.csv line 3: field 'text' is not valid UTF-8"):
        read_labelled(tmp_path / "a.csv")


def test_csv_without_the_text_column_is_refused_at_once(tmp_path):
    (tmp_path / "a.csv").write_text("body,label\nMưa,weather\n", encoding="utf-8")
    with pytest.raises(DataError, match="a.csv: no column 'text' \\(columns: body, label\\)"):
        read_labelled(tmp_path / "a.csv")
