"""newscat score --explain N: the top terms of each label in JSONL, CSV and Parquet outputs."""

import csv
import json

import pyarrow.parquet as pq
import pytest

import newscat
from newscat import DataError, score_archive
from newscat.cli import main
from newscat.schema import EXPLANATION_FIELD
from newscat.scoring.outputs import OUTPUT_FIELDS, ResultFiles

TEXTS = [
    "Bão số 3 đổ bộ vào Quảng Ninh, mưa lớn kéo dài gây ngập lụt nhiều nơi",
    "Công nhân bị tai nạn lao động khi làm việc trên giàn giáo ở công trường",
    "Công an bắt giữ nghi phạm trộm cắp tài sản tại chợ Đồng Xuân",
    "Công đoàn tặng quà Tết cho người lao động có hoàn cảnh khó khăn",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("in") / "in.jsonl"
    rows = [{"id": f"a{i}", "text": text} for i, text in enumerate(TEXTS)]
    rows.append({"id": "empty", "text": "  "})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _rows(path):
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return [{**r, "explanation": json.loads(r["explanation"])} for r in csv.DictReader(f)]
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return [json.loads(line) for line in path.open(encoding="utf-8")]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_each_output_has_the_top_terms_of_its_label(fmt, tmp_path, archive, small_model_dir):
    output = tmp_path / f"out.{fmt}"
    summary = score_archive(
        archive, output, model=small_model_dir, jobs=2, progress=False, explain=3
    )
    assert (summary.labelled, summary.errors) == (4, 1)
    model = newscat.load(small_model_dir)
    rows = _rows(output)
    assert [row["id"] for row in rows] == ["a0", "a1", "a2", "a3"]
    for row, text in zip(rows, TEXTS):
        expected = model.explain(text, top=3)
        assert row["label"] == expected.prediction.label
        terms = row["explanation"]
        assert terms == expected.raised_terms() and len(terms) == 3
        assert [t["contribution"] for t in terms] == sorted(
            (t["contribution"] for t in terms), reverse=True
        )
        assert all(t["contribution"] > 0 and "_" not in t["term"] for t in terms)
    if fmt == "csv":
        header = output.read_text(encoding="utf-8").splitlines()[0]
        assert header.endswith(",model,model_version,explanation")


def test_without_explain_there_is_no_explanation_column(tmp_path, archive, small_model_dir):
    output = tmp_path / "out.jsonl"
    score_archive(archive, output, model=small_model_dir, jobs=1, progress=False)
    assert all("explanation" not in row for row in _rows(output))


def test_cli_explain_option(tmp_path, archive, small_model_dir, capsys):
    output = tmp_path / "out.jsonl"
    args = ["score", str(archive), "-o", str(output), "--model", str(small_model_dir)]
    assert main([*args, "--explain", "2", "--jobs", "1", "--no-progress"]) == 0
    assert [len(row["explanation"]) for row in _rows(output)] == [2] * 4
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--explain", "0"])
    assert exit_info.value.code == 2
    assert "--explain: expected an integer of at least 1, got '0'" in capsys.readouterr().err


@pytest.mark.parametrize(("before", "now"), [(3, None), (None, 3), (3, 2)])
def test_a_resume_must_explain_as_the_interrupted_run_did(tmp_path, before, now):
    output = tmp_path / "out.csv"
    errors = tmp_path / "out.csv.errors.jsonl"

    def job(explain):
        return {"inputs": ["in.jsonl"], **({"explain": explain} if explain else {})}

    fields = (*OUTPUT_FIELDS, EXPLANATION_FIELD)
    files = ResultFiles(output, errors, job(before), fields=fields)
    files.write([{**dict.fromkeys(fields), "id": "a1", "top_k": [], "error": None}])
    files.abandon()  # interrupted after one batch
    with pytest.raises(DataError, match=f"explain was {before}, now {now}"):
        ResultFiles(output, errors, job(now), resume=True)
    ResultFiles(output, errors, job(before), resume=True).finish()  # the same job resumes
    assert output.read_text(encoding="utf-8").splitlines()[0].endswith(",explanation")
