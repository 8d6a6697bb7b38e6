"""Scoring archives: output formats, the errors file, accounting, refusals, crash and resume."""

from __future__ import annotations

import filecmp
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newscat import DataError, NewsClassifier, __version__, save_model
from newscat.classifier.persistence import load_model
from newscat.cli import main
from newscat.scoring.job import ScoreSummary, score_archive
from newscat.scoring.outputs import OUTPUT_FIELDS, ResultFiles
from tests.helpers import (
    Crash,
    assert_every_record_once,
    crash_after,
    errors_of,
    input_ids,
    read_output,
    write_archive,
)

FORMATS = ("jsonl", "jsonl.gz", "csv", "parquet")


# ----------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def rows(labor5_rows) -> list[dict]:
    return labor5_rows[:90]


@pytest.fixture
def inputs(tmp_path, rows) -> list[Path]:
    return write_archive(tmp_path / "archive", rows)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, rows, small_model_dir) -> dict[str, Path]:
    """One uninterrupted run per output format: the reference outputs."""
    folder = tmp_path_factory.mktemp("clean")
    inputs = write_archive(folder / "archive", rows)
    outputs = {}
    for fmt in FORMATS:
        outputs[fmt] = folder / f"out.{fmt}"
        score_archive(
            inputs, outputs[fmt], model=small_model_dir, jobs=1, batch_size=8, progress=False
        )
    return outputs


def score(inputs, output, model, **kwargs) -> ScoreSummary:
    settings = {"jobs": 1, "batch_size": 8, "progress": False, **kwargs}
    return score_archive(inputs, output, model=model, **settings)


# -------------------------------------------------------------------- tests
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_output_format_round_trips(fmt, tmp_path, inputs, small_model_dir, clean_run):
    output = tmp_path / f"out.{fmt}"
    summary = score(inputs, output, small_model_dir)
    rows = read_output(output)
    assert [row["id"] for row in rows] == [row["id"] for row in read_output(clean_run["jsonl"])]
    assert rows == read_output(clean_run["jsonl"])  # the same values in every format
    assert len(rows) == summary.labelled and summary.read == len(input_ids(inputs))
    first = rows[0]
    assert list(first) == list(OUTPUT_FIELDS)
    assert first["model"] == "small-labor5" and first["model_version"] == __version__
    assert first["label"] == first["top_k"][0]["label"] and first["score"] > 0
    assert len(first["top_k"]) == 3 and isinstance(first["uncertain"], bool)
    assert all(row["reason"] for row in rows if row["uncertain"])
    assert "page.html" in {row["id"] for row in rows}
    assert not (tmp_path / f"out.{fmt}.progress.json").exists()
    assert not (tmp_path / f"out.{fmt}.partial").exists()


def test_parquet_output_is_a_folder_of_parts(tmp_path, inputs, small_model_dir, clean_run):
    output = tmp_path / "out.parquet"
    summary = score(inputs, output, small_model_dir, part_rows=20)
    parts = sorted(path.name for path in output.iterdir())
    assert parts == [f"part-{i:05d}.parquet" for i in range(len(parts))] and len(parts) > 3
    assert sum(pq.read_metadata(output / part).num_rows for part in parts) == summary.labelled
    assert read_output(output) == read_output(clean_run["parquet"])


def test_errors_file_names_each_failed_record_and_why(clean_run, rows):
    output = clean_run["jsonl"]
    errors = {e["id"]: e["reason"] for e in errors_of(output)}
    jsonl = "archive/articles.jsonl"
    assert errors == {
        f"{jsonl}:6": f"{jsonl} line 6: invalid JSON: Expecting property name enclosed in "
        "double quotes (column 2)",
        "no-text": f"{jsonl} line 7: missing field 'text' (fields present: body, id)",
        "blank": "empty text",
        "zero-width": "empty text after cleaning and normalisation",
        "broken.txt": "broken.txt: cannot decode as utf-8: invalid continuation byte at byte 0; "
        "save the file as UTF-8",
    }


def test_read_equals_labelled_plus_errors_and_every_record_appears_once(
    tmp_path, inputs, small_model_dir
):
    output = tmp_path / "out.csv"
    summary = score(inputs, output, small_model_dir)
    assert summary.read == summary.labelled + summary.errors == len(input_ids(inputs))
    assert summary.errors == 5
    assert_every_record_once(inputs, output, Path(f"{output}.errors.jsonl"))
    assert f"read {summary.read} records: {summary.labelled} labelled + 5 errors" in str(summary)


def test_failures_inside_the_model_go_to_the_errors_file(tmp_path, inputs, small_model_dir):
    model = load_model(small_model_dir)
    classify_many, classify = model.classify_many, model.classify

    def fragile_many(texts, **kwargs):
        if any("Công đoàn" in text for text in texts):
            raise ValueError("cannot read this one")
        return classify_many(texts, **kwargs)

    def fragile(text, **kwargs):
        return (
            fragile_many([text], **kwargs)[0] if "Công đoàn" in text else classify(text, **kwargs)
        )

    model.classify_many, model.classify = fragile_many, fragile
    output = tmp_path / "out.jsonl"
    summary = score(inputs, output, model)
    failed = [
        e for e in read_output(Path(f"{output}.errors.jsonl")) if "model error" in e["reason"]
    ]
    assert failed and {e["reason"] for e in failed} == {
        "model error: ValueError: cannot read this one"
    }
    assert summary.read == summary.labelled + summary.errors
    assert_every_record_once(inputs, output, Path(f"{output}.errors.jsonl"))


def test_an_existing_output_is_never_overwritten(tmp_path, inputs, small_model_dir):
    output = tmp_path / "out.jsonl"
    score(inputs, output, small_model_dir)
    before = output.read_bytes()
    with pytest.raises(FileExistsError, match=r"out\.jsonl already exists: .*resume"):
        score(inputs, output, small_model_dir)
    with pytest.raises(FileExistsError, match=r"nothing to resume: .*out\.jsonl exists"):
        score(inputs, output, small_model_dir, resume=True)
    assert output.read_bytes() == before
    assert main(["score", *map(str, inputs), "-o", str(output), "--no-progress"]) == 1


def test_resume_without_an_interrupted_run_starts_one(tmp_path, inputs, small_model_dir, clean_run):
    output = tmp_path / "out.jsonl"
    score(inputs, output, small_model_dir, resume=True)
    assert output.read_bytes() == clean_run["jsonl"].read_bytes()


def _half_written(fmt: str):
    """Debris of a death in mid-write: a partial batch, a stray part, a temporary part."""

    def debris(files: ResultFiles) -> None:
        partial = files.output.with_name(files.output.name + ".partial")
        if fmt == "parquet":
            (partial / "part-00042.parquet").write_bytes(b"PAR1 half")
            (partial / ".part-00043.parquet.tmp").write_bytes(b"PAR1")
        else:
            with open(partial, "ab") as f:
                f.write(b'half,"written' if fmt == "csv" else b'{"id": "half')
        errors_partial = files.errors_path.with_name(files.errors_path.name + ".partial")
        with open(errors_partial, "ab") as f:
            f.write(b'{"id": "x", "rea')

    return debris


@pytest.mark.parametrize("fmt", FORMATS)
def test_resume_after_a_crash_mid_write_gives_the_clean_files(
    fmt, tmp_path, inputs, small_model_dir, clean_run, monkeypatch
):
    output = tmp_path / f"out.{fmt}"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=4, debris=_half_written(fmt))
        with pytest.raises(Crash):
            score(inputs, output, small_model_dir, part_rows=20)
    assert not output.exists()  # a file under its final name is always complete
    assert output.with_name(output.name + ".partial").exists()
    progress = json.loads(output.with_name(output.name + ".progress.json").read_text())
    assert 0 < progress["read"] < len(input_ids(inputs))

    summary = score(inputs, output, small_model_dir, resume=True, part_rows=20)
    assert summary.resumed == progress["read"]
    assert summary.read == summary.labelled + summary.errors == len(input_ids(inputs))
    assert read_output(output) == read_output(clean_run[fmt])
    assert errors_of(output) == errors_of(clean_run[fmt])
    if fmt != "parquet":
        assert output.read_bytes() == clean_run[fmt].read_bytes()


def test_resume_after_a_crash_before_the_files_existed(
    tmp_path, inputs, small_model_dir, clean_run, monkeypatch
):
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        patch.setattr("newscat.scoring.outputs._JsonLinesWriter.__init__", _die)
        patch.setattr(ResultFiles, "abandon", lambda self: None)  # a killed run cleans nothing
        with pytest.raises(Crash):
            score(inputs, output, small_model_dir)
    assert json.loads(Path(f"{output}.progress.json").read_text())["output"] is None
    score(inputs, output, small_model_dir, resume=True)
    assert output.read_bytes() == clean_run["jsonl"].read_bytes()


def _die(*args, **kwargs):
    raise Crash


def test_resume_refuses_another_job(tmp_path, inputs, small_model_dir, labor5_rows, monkeypatch):
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=2)
        with pytest.raises(Crash):
            score(inputs, output, small_model_dir)
    with pytest.raises(DataError, match=r"inputs was \[.*\], now \["):
        score(inputs[:1], output, small_model_dir, resume=True)
    with pytest.raises(DataError, match="top_k was 3, now 5"):
        score(inputs, output, small_model_dir, resume=True, top_k=5)
    with pytest.raises(DataError, match="text_field was 'text', now 'body'"):
        score(inputs, output, small_model_dir, resume=True, text_field="body")

    texts = [row["text"] for row in labor5_rows[:300]]
    labels = [row["label"] for row in labor5_rows[:300]]
    retrained = NewsClassifier(segmenter="syllable", clean_pages=True)
    retrained.fit(texts, labels)
    same_name = save_model(retrained, tmp_path / "retrained", name="small-labor5")
    with pytest.raises(DataError, match="model was .*'fingerprint'"):
        score(inputs, output, same_name, resume=True)
    other = save_model(retrained, tmp_path / "other", name="other")
    with pytest.raises(DataError, match="model was .*'small-labor5'.*now .*'other'"):
        score(inputs, output, other, resume=True)
    score(inputs, output, small_model_dir, resume=True)  # the same job still resumes


def test_jobs_1_and_jobs_2_write_identical_files(tmp_path, inputs, small_model_dir, clean_run):
    output = tmp_path / "out.jsonl"
    summary = score(inputs, output, small_model_dir, jobs=2)
    assert filecmp.cmp(output, clean_run["jsonl"], shallow=False)
    assert errors_of(output) == errors_of(clean_run["jsonl"])
    assert summary.read == summary.labelled + summary.errors


def test_progress_bar_shows_rate_and_total(tmp_path, inputs, small_model_dir, capsys):
    score(inputs, tmp_path / "out.jsonl", small_model_dir, progress=True)
    bar = capsys.readouterr().err
    assert "scoring" in bar and "rec/s" in bar and "errors=5" in bar


def test_cli_scores_and_prints_the_summary(tmp_path, inputs, small_model_dir, capsys):
    output = tmp_path / "out.parquet"
    args = ["score", *map(str, inputs), "-o", str(output), "--model", str(small_model_dir)]
    assert main([*args, "--jobs", "1", "--batch-size", "16", "--top-k", "2", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert f"read {len(input_ids(inputs))} records:" in printed and "5 errors" in printed
    assert {len(row["top_k"]) for row in read_output(output)} == {2}
    assert main([*args, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err


def test_unknown_output_format_is_refused_before_anything_is_written(tmp_path, inputs):
    with pytest.raises(DataError, match=r"out\.xlsx: unknown output format"):
        score_archive(inputs, tmp_path / "out.xlsx", progress=False)
    assert list(tmp_path.iterdir()) == [tmp_path / "archive"]


@pytest.mark.slow
def test_memory_stays_flat_as_the_archive_grows(tmp_path, rows, small_model_dir):
    model = load_model(small_model_dir)
    peaks = []
    for n in (1000, 8000):
        path = tmp_path / f"in{n}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for i in range(n):
                text = rows[i % len(rows)]["text"][:120]
                f.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")
        tracemalloc.start()
        score_archive(path, tmp_path / f"out{n}.jsonl", model=model, jobs=1, progress=False)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0] + 1_000_000, peaks


# ------------------------------------------------- a real kill -9, then resume
def _progress(path: Path) -> int:
    try:
        return json.loads(path.read_text())["read"]
    except (FileNotFoundError, ValueError, KeyError):  # not written yet, or being replaced
        return 0


def _session_processes(session: int) -> list[str]:
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[3] == str(session) and fields[0] != "Z":
            alive.append(pid)
    return alive


def _kill_when(command: list[str], cwd: Path, progress: Path, done: int) -> int:
    """Start ``command``, ``kill -9`` it once ``done`` records are written; return that count."""
    process = subprocess.Popen(
        command, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while _progress(progress) < done and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, f"the run ended before the kill: {process.stderr.read()}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    if Path("/proc").is_dir():  # the workers notice their parent is gone and end
        for _ in range(100):
            if not _session_processes(process.pid):
                break
            time.sleep(0.1)
        assert not _session_processes(process.pid)
    return _progress(progress)


def test_kill_minus_9_mid_run_then_resume(tmp_path, labor5_rows, small_model_dir, monkeypatch):
    lines = [
        json.dumps({"id": f"{copy}/{row['id']}", "text": row["text"][:300]}, ensure_ascii=False)
        for copy in range(4)
        for row in labor5_rows
    ]
    lines[1000:1000] = ["{broken", '{"text": ""}']
    (tmp_path / "in.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    total = len(lines)
    command = [sys.executable, "-m", "newscat.cli", "score", "in.jsonl", "-o", "out.csv"]
    command += ["--model", str(small_model_dir), "--batch-size", "5", "--no-progress"]
    progress = tmp_path / "out.csv.progress.json"

    # Checkpoints come every CHECKPOINT_SECONDS, so the progress seen jumps by up to
    # ~1500 records here: the thresholds leave the run thousands of records to do.
    first = _kill_when([*command, "--jobs", "2"], tmp_path, progress, done=300)
    assert 0 < first < total and not (tmp_path / "out.csv").exists()
    second = _kill_when([*command, "--jobs", "1", "--resume"], tmp_path, progress, done=first + 600)
    assert first < second < total
    finished = subprocess.run(
        [*command, "--jobs", "1", "--resume"], cwd=tmp_path, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
    assert f"read {total:,} records: {total - 2:,} labelled + 2 errors" in finished.stdout
    assert not progress.exists()

    output, errors = tmp_path / "out.csv", tmp_path / "out.csv.errors.jsonl"
    ids = [row["id"] for row in read_output(output)] + [e["id"] for e in read_output(errors)]
    assert len(ids) == len(set(ids)) == total  # every input record exactly once
    monkeypatch.chdir(tmp_path)  # the same relative input path: the same fallback ids
    score_archive("in.jsonl", "clean.csv", model=small_model_dir, jobs=1, progress=False)
    assert output.read_bytes() == (tmp_path / "clean.csv").read_bytes()
    assert errors.read_bytes() == (tmp_path / "clean.csv.errors.jsonl").read_bytes()
