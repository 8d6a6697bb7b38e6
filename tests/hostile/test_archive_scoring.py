"""Archive scoring against hostile files and failures: nothing stops a run for one record,
nothing is left behind by a run that never started, and a resume never mixes inputs."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import zlib
from pathlib import Path

import dask
import pytest

from newscat import DataError
from newscat.classifier.persistence import load_model
from newscat.cli import main
from newscat.errors import UsageError
from newscat.readers.archive import Archive
from newscat.scoring.job import score_archive
from newscat.scoring.outputs import ResultFiles
from tests.helpers import Crash, crash_after


# ------------------------------------------------------------------ helpers
@pytest.fixture(autouse=True)
def no_hang():
    """Fail instead of hanging forever (a FIFO opened for reading waits for a writer)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hung(signum, frame):
        raise TimeoutError("the test hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(240)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def texts(labor5_rows) -> list[str]:
    return [row["text"][:400] for row in labor5_rows[:40]]


@pytest.fixture(scope="module")
def model(small_model_dir):
    return load_model(small_model_dir)


def write_jsonl(path: Path, lines: list[str | bytes]) -> Path:
    data = b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines)
    (gzip.open(path, "wb") if path.name.endswith(".gz") else open(path, "wb")).write(data)
    return path


def article_lines(texts: list[str], prefix: str = "r") -> list[str]:
    return [
        json.dumps({"id": f"{prefix}{i}", "text": text}, ensure_ascii=False)
        for i, text in enumerate(texts)
    ]


def score(inputs, output, model, **kwargs):
    return score_archive(inputs, output, model=model, **{"jobs": 1, "progress": False, **kwargs})


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def outcome(output: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(id -> label of the output, id -> reason of the errors file) of a JSONL output."""
    labelled = {}
    for line in output.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labelled[row["id"]] = row["label"]
    errors_file = Path(f"{output}.errors.jsonl")
    errors = {}
    if errors_file.exists():
        for line in errors_file.read_text(encoding="utf-8").splitlines():
            error = json.loads(line)
            errors[error["id"]] = error["reason"]
    return labelled, errors


# ------------------------------------------- a run that fails at setup leaves nothing
def test_a_missing_dask_leaves_nothing_and_the_next_run_needs_no_resume(
    tmp_path, texts, model, monkeypatch
):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts))
    output = tmp_path / "out" / "labels.jsonl"
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "distributed", None)  # as if not installed
        with pytest.raises(ImportError, match=r"newscat\[dask\]"):
            score(source, output, model, engine="dask")
    assert files_in(tmp_path) == {"in.jsonl"}
    summary = score(source, output, model)
    assert summary.labelled == len(texts)


def test_an_unreachable_scheduler_leaves_nothing(tmp_path, texts, small_model_dir, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts))
    with socket.socket() as probe:  # a local port with nothing listening
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    output = tmp_path / "out.csv"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(ConnectionError, match=f"cannot reach the Dask scheduler at {address}"):
            score(source, output, small_model_dir, engine="dask", scheduler=address)
        args = ["score", str(source), "-o", str(output), "--model", str(small_model_dir)]
        assert main([*args, "--engine", "dask", "--scheduler", address, "--no-progress"]) == 1
    assert address in capsys.readouterr().err
    assert files_in(tmp_path) == {"in.jsonl"}
    assert main([*args, "--jobs", "1", "--no-progress"]) == 0  # no --resume needed


def test_a_failure_in_the_first_batch_leaves_nothing(tmp_path, texts, small_model_dir):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts))
    broken = load_model(small_model_dir)

    def fail(*args, **kwargs):
        raise RuntimeError("the model is broken")

    broken.classify_many = fail
    for fmt in ("jsonl", "csv", "parquet"):
        with pytest.raises(RuntimeError, match="the model is broken"):
            score(source, tmp_path / f"out.{fmt}", broken, batch_size=8)
    assert files_in(tmp_path) == {"in.jsonl"}


def test_a_missing_parquet_writer_leaves_nothing(tmp_path, texts, model, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts))
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "pyarrow.parquet", None)  # as if not installed
        with pytest.raises(ImportError):
            score(source, tmp_path / "out.parquet", model)
    assert files_in(tmp_path) == {"in.jsonl"}


def test_an_interrupted_run_keeps_its_checkpoint(tmp_path, texts, model, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts))
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=2)
        with pytest.raises(Crash):
            score(source, output, model, batch_size=8)
    assert files_in(tmp_path) == {"in.jsonl", "out.jsonl.partial", "out.jsonl.progress.json"}
    assert score(source, output, model, batch_size=8, resume=True).resumed == 16


# ------------------------------------------------------ the errors file, lazily
def test_no_errors_file_without_errors(tmp_path, texts, model):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts))
    summary = score(source, tmp_path / "out.jsonl", model)
    assert summary.errors == 0 and files_in(tmp_path) == {"in.jsonl", "out.jsonl"}
    assert str(summary).endswith("errors: none (no errors file written)")


def test_errors_that_come_late_survive_a_resume(tmp_path, texts, model, monkeypatch):
    lines = article_lines(texts) + ["{broken", '{"id": "blank", "text": ""}']
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    clean = tmp_path / "clean.jsonl"
    score(source, clean, model, batch_size=8)
    for batches, debris in ((2, None), (5, _stray_errors_file)):
        output = tmp_path / f"out{batches}.jsonl"
        with monkeypatch.context() as patch:
            crash_after(patch, batches=batches, debris=debris)
            with pytest.raises(Crash):
                score(source, output, model, batch_size=8)
        progress = json.loads(Path(f"{output}.progress.json").read_text())
        assert progress["errors_file"] is None and progress["read"] == 8 * batches
        score(source, output, model, batch_size=8, resume=True)
        assert output.read_bytes() == clean.read_bytes()
        errors = Path(f"{output}.errors.jsonl").read_text()
        assert errors == Path(f"{clean}.errors.jsonl").read_text() and errors.count("\n") == 2


def _stray_errors_file(files: ResultFiles) -> None:
    """Errors written after the last checkpoint: a resume must drop them."""
    Path(f"{files.errors_path}.partial").write_text('{"id": "ghost", "reason": "x"}\n{"id"')


# ------------------------------------------------- records that must not stop a run
def test_huge_integers_and_deep_nesting_are_error_records(tmp_path, texts, model):
    lines = article_lines(texts[:3])
    lines[1:1] = [
        '{"id": "big", "text": "Mưa", "n": ' + "7" * 5000 + "}",
        '{"id": "deep", "text": "Mưa", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"id": "deep-open", "text": ' + "[" * 100_000,
    ]
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    summary = score(source, tmp_path / "out.jsonl", model)
    labelled, errors = outcome(tmp_path / "out.jsonl")
    assert set(labelled) == {"r0", "r1", "r2"}
    assert errors == {
        f"{source}:2": f"{source} line 2: unusable JSON: Exceeds the limit (4300 digits) for "
        "integer string conversion: value has 5000 digits",
        f"{source}:3": f"{source} line 3: unusable JSON: nested too deeply",
        f"{source}:4": f"{source} line 4: unusable JSON: nested too deeply",
    }
    assert summary.read == summary.labelled + summary.errors == 6


def test_lone_surrogates_from_json_escapes_are_reported(tmp_path, texts, model):
    lines = [
        '{"id": "s1", "text": "M\\ud800a"}',
        '{"id": "\\udfff", "text": "Mưa bão"}',
        *article_lines(texts[:2]),
    ]
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    summary = score(source, tmp_path / "out.jsonl", model)
    labelled, errors = outcome(tmp_path / "out.jsonl")
    assert set(labelled) == {"r0", "r1"}
    assert errors == {
        "s1": f"{source} line 1: field 'text' is not valid UTF-8",
        f"{source}:2": f"{source} line 2: field 'id' is not valid UTF-8",
    }
    assert summary.read == 4


@pytest.mark.parametrize("name", ["in.jsonl", "in.jsonl.gz"])
def test_an_over_long_line_is_an_error_record(tmp_path, texts, model, monkeypatch, name):
    monkeypatch.setattr("newscat.readers.archive.MAX_RECORD_BYTES", 1000)
    lines = article_lines([text[:200] for text in texts[:4]])
    lines[2:2] = [json.dumps({"id": "long", "text": "mưa " * 1000})]
    source = write_jsonl(tmp_path / name, lines)
    score(source, tmp_path / "out.jsonl", model)
    labelled, errors = outcome(tmp_path / "out.jsonl")
    assert set(labelled) == {"r0", "r1", "r2", "r3"}
    assert errors == {
        f"{source}:3": f"{source} line 3: longer than 1,000 bytes, the limit per record"
    }
    assert Archive(source).count() == 5


def test_over_long_csv_records_are_skipped_to_their_end(tmp_path, model, monkeypatch):
    monkeypatch.setattr("newscat.readers.archive.MAX_RECORD_BYTES", 1000)
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerow(["a", "Mưa bão lớn"])
        writer.writerow(["long-line", "bão " * 400])  # one line of 1,600 characters
        writer.writerow(["b", "Bắt trộm"])
        writer.writerow(["long-field", 'mưa "to"\n' * 150])  # 150 lines in quotes, 1,500 chars
        writer.writerow(["c", "Công đoàn"])
    score(path, tmp_path / "out.jsonl", model)
    labelled, errors = outcome(tmp_path / "out.jsonl")
    assert set(labelled) == {"a", "b", "c"}
    assert errors == {
        f"{path}:3": f"{path} line 3: longer than 1,000 characters, the limit per record",
        f"{path}:5": f"{path} line 5: longer than 1,000 characters, the limit per record",
    }
    assert Archive(path).count() == 5


def test_an_over_long_article_file_is_an_error_record(tmp_path, model, monkeypatch):
    monkeypatch.setattr("newscat.readers.archive.MAX_RECORD_BYTES", 1000)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("Mưa bão lớn", encoding="utf-8")
    (pages / "b.txt").write_text("bão " * 500, encoding="utf-8")
    score(pages, tmp_path / "out.jsonl", model)
    labelled, errors = outcome(tmp_path / "out.jsonl")
    assert set(labelled) == {"a.txt"}
    assert errors == {"b.txt": "b.txt: longer than 1,000 bytes, the limit per record"}


def test_a_gigantic_line_in_a_small_gzip_is_never_held_in_memory(tmp_path, small_model_dir):
    """512 MiB of one line, 0.5 MB compressed: memory grows by the 10 MiB limit at most."""
    big = tmp_path / "big.jsonl.gz"
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # gzip container
    with open(big, "wb") as f:
        f.write(compressor.compress(b'{"id": "huge", "text": "'))
        chunk = b"a" * 2**20
        for _ in range(512):
            f.write(compressor.compress(chunk))
        f.write(compressor.compress(b'"}\n{"id": "after", "text": "M\xc6\xb0a b\xc3\xa3o"}\n'))
        f.write(compressor.flush())
    small = write_jsonl(tmp_path / "small.jsonl.gz", ['{"id": "after", "text": "Mưa bão"}'])
    assert big.stat().st_size < 4_000_000
    peaks = {}
    for source in (small, big):
        code = (
            "import resource, sys\n"
            "from newscat.cli import main\n"
            f"status = main(['score', {str(source)!r}, '-o', {str(source)!r} + '.out.jsonl',"
            f" '--model', {str(small_model_dir)!r}, '--jobs', '1', '--no-progress'])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "sys.exit(status)\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=200
        )
        assert run.returncode == 0, run.stderr
        peaks[source.name] = int(run.stdout.split()[-1]) * 1024  # KiB on Linux
        assert "read 2 records: 1 labelled + 1 errors" in run.stdout or source == small
    assert peaks["big.jsonl.gz"] - peaks["small.jsonl.gz"] < 100 * 2**20, peaks
    errors = Path(f"{big}.out.jsonl.errors.jsonl").read_text()
    assert json.loads(errors) == {
        "id": f"{big}:1",
        "reason": f"{big} line 1: longer than 10,485,760 bytes, the limit per record",
    }


# ------------------------------------------------------- special files
@pytest.fixture
def special_folder(tmp_path, texts) -> Path:
    """A folder of pages with a FIFO, a link to /dev/zero, a socket and a dangling link."""
    if not hasattr(os, "mkfifo") or not Path("/dev/zero").exists():
        pytest.skip("needs FIFOs and /dev/zero")
    pages = tmp_path / "pages"
    pages.mkdir()
    for i, text in enumerate(texts[:3]):
        (pages / f"p{i}.txt").write_text(text, encoding="utf-8")
    os.mkfifo(pages / "fifo.txt")
    (pages / "zero.txt").symlink_to("/dev/zero")
    (pages / "gone.txt").symlink_to(pages / "missing.txt")
    (pages / "good-link.txt").symlink_to(pages / "p0.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(pages / "socket.html"))
    yield pages
    server.close()


def test_special_files_in_a_folder_are_error_records(special_folder, tmp_path, model):
    summary = score(special_folder, tmp_path / "out.jsonl", model)
    labelled, errors = outcome(tmp_path / "out.jsonl")
    assert set(labelled) == {"p0.txt", "p1.txt", "p2.txt", "good-link.txt"}
    assert errors == {
        "fifo.txt": "fifo.txt: a FIFO, not a regular file; skipped",
        "zero.txt": "zero.txt: a character device, not a regular file; skipped",
        "socket.html": "socket.html: a socket, not a regular file; skipped",
        "gone.txt": "gone.txt: cannot read: No such file or directory",
    }
    assert summary.read == summary.labelled + summary.errors == 8


def test_special_files_named_as_inputs_are_refused(special_folder, tmp_path, model):
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    cases = {
        tmp_path / "pipe.jsonl": "a FIFO",
        tmp_path / "zero.csv": "a character device",
        special_folder / "fifo.txt": "a FIFO",
        special_folder / "socket.html": "a socket",
    }
    for path, kind in cases.items():
        with pytest.raises(DataError, match=f"{path}: {kind}, not a regular file or folder"):
            score(path, tmp_path / "out.jsonl", model)
    assert not (tmp_path / "out.jsonl").exists()


# ------------------------------------------------------- resume and changed inputs
def _interrupted(tmp_path, texts, model, monkeypatch, name: str = "in.jsonl"):
    source = write_jsonl(tmp_path / name, article_lines(texts))
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=2)
        with pytest.raises(Crash):
            score(source, output, model, batch_size=8)
    return source, output


def _keep_times(path: Path, change) -> None:
    """Change the file, then give it back its size-independent modification time."""
    before = path.stat()
    change(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "size and "),
        (lambda p: p.write_bytes(p.read_bytes() + b'{"id": "new", "text": "x"}\n'), "size and "),
        (lambda p: p.write_bytes(p.read_bytes().replace(b'"r3"', b'"R3"')), ""),
    ],
    ids=["truncated", "appended", "edited"],
)
def test_resume_refuses_a_changed_input(
    tmp_path, texts, model, small_model_dir, monkeypatch, edit, why, capsys
):
    source, output = _interrupted(tmp_path, texts, model, monkeypatch)
    original = source.read_bytes()
    edit(source)
    os.utime(source, ns=(0, source.stat().st_mtime_ns + 10**9))  # a later edit
    message = f"cannot resume: {source} changed since the interrupted run (other {why}"
    with pytest.raises(DataError, match="^" + re.escape(f"{message}modification time); ")):
        score(source, output, model, batch_size=8, resume=True)
    args = ["score", str(source), "-o", str(output), "--model", str(small_model_dir), "--resume"]
    assert files_in(tmp_path) == {"in.jsonl", "out.jsonl.partial", "out.jsonl.progress.json"}
    source.write_bytes(original)  # restored, with a new modification time: still refused
    assert main([*args, "--batch-size", "8", "--no-progress"]) == 1
    error = capsys.readouterr().err
    expected = f"error: cannot resume: {source} changed since the interrupted run (other mod"
    assert expected in error and error.count("\n") == 1


def test_resume_refuses_an_input_edited_behind_the_same_size_and_time(
    tmp_path, texts, model, monkeypatch
):
    source, output = _interrupted(tmp_path, texts, model, monkeypatch)
    original = source.read_bytes()
    _keep_times(source, lambda p: p.write_bytes(original.replace(b'"r3"', b'"R3"')))
    with pytest.raises(DataError, match=r"its first 16 records are not the ones read then"):
        score(source, output, model, batch_size=8, resume=True)
    _keep_times(source, lambda p: p.write_bytes(original))  # put back as it was: resumes
    summary = score(source, output, model, batch_size=8, resume=True)
    assert summary.resumed == 16 and summary.read == len(texts)
    clean = tmp_path / "clean.jsonl"
    score(source, clean, model, batch_size=8)
    assert output.read_bytes() == clean.read_bytes()


def test_resume_with_inputs_not_read_yet(tmp_path, texts, model, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = write_jsonl(tmp_path / "a.jsonl", article_lines(texts))
    second = tmp_path / "b.parquet"
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": texts[:2]}), second)
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=1)
        with pytest.raises(Crash):
            score([first, second], output, model, batch_size=8)
    summary = score([first, second], output, model, batch_size=8, resume=True)
    assert summary.resumed == 8 and summary.read == summary.labelled == len(texts) + 2
    clean = tmp_path / "clean.jsonl"
    score([first, second], clean, model, batch_size=8)
    assert output.read_bytes() == clean.read_bytes()


def test_resume_refuses_a_folder_whose_read_files_changed(tmp_path, texts, model, monkeypatch):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i, text in enumerate(texts):
        (pages / f"p{i:02d}.txt").write_text(text, encoding="utf-8")
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=2)
        with pytest.raises(Crash):
            score(pages, output, model, batch_size=8)
    (pages / "p30.txt").write_text("một bài mới", encoding="utf-8")  # not read yet: fine
    (pages / "p03.txt").write_text("sửa lại", encoding="utf-8")  # read already: refused
    with pytest.raises(DataError, match=r"pages changed since the interrupted run \(its first 16"):
        score(pages, output, model, batch_size=8, resume=True)


# ------------------------------------------------------------ path clashes
def test_clashing_paths_are_refused_before_anything_is_written(tmp_path, texts, model):
    source = write_jsonl(tmp_path / "in.jsonl", article_lines(texts[:3]))
    output = tmp_path / "out.jsonl"
    cases = [
        (source, output, output, r"the errors file and the output are the same file"),
        (source, source, None, r"the output .*in\.jsonl is also an input"),
        (source, output, source, r"the errors file .*in\.jsonl is also an input"),
        (source, output, Path(f"{output}.progress.json"), "the progress file and the errors file"),
        (source, output, Path(f"{output}.partial"), r"the errors file and the output \(partial\)"),
    ]
    for inputs, out, errors, message in cases:
        with pytest.raises(UsageError, match=message):
            score(inputs, out, model, errors=errors)
        with pytest.raises(UsageError, match=message):
            score(inputs, out, model, errors=errors, resume=True)
    assert files_in(tmp_path) == {"in.jsonl"}
    args = ["score", str(source), "-o", str(output), "--errors", str(output), "--no-progress"]
    assert main(args) == 2  # options that do not go together


# ---------------------------------------------------------------- CSV cells
FORMULAS = ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tx", "\rx", "\r\n=1"]


def test_csv_cells_that_look_like_formulas_are_escaped(tmp_path, model, small_model_dir):
    rows = [{"id": id_, "text": "Mưa bão lớn ở Huế"} for id_ in [*FORMULAS, "a\rb", "a=b"]]
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(row) for row in rows])
    for raw in (False, True):
        output = tmp_path / f"out-{raw}.csv"
        args = ["score", str(source), "-o", str(output), "--model", str(small_model_dir)]
        assert main([*args, "--jobs", "1", "--no-progress", *(["--csv-raw"] if raw else [])]) == 0
        with open(output, encoding="utf-8", newline="") as f:
            ids = [row["id"] for row in csv.DictReader(f)]
        expected = FORMULAS if raw else ["'" + id_ for id_ in FORMULAS]
        assert ids == [*expected, "a\rb", "a=b"]
    score(source, tmp_path / "api.csv", model, csv_escape=False)
    assert (tmp_path / "api.csv").read_bytes() == (tmp_path / "out-True.csv").read_bytes()
