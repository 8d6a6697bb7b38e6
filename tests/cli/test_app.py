"""Round trips through the command line: train.py, evaluate.py and the newscat command."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import newscat
from newscat.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_file(tmp_path_factory, labor5_rows):
    path = tmp_path_factory.mktemp("data") / "sample.jsonl"
    rows = labor5_rows[:300]
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data_file):
    output = tmp_path_factory.mktemp("models") / "cli-model"
    result = subprocess.run(
        [
            sys.executable,
            "train.py",
            "--data",
            str(data_file),
            "--output",
            str(output),
            "--segmenter",
            "syllable",
            "--no-cache",
            "--cv",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return output, result


def test_train_script_prints_summary(trained):
    output, result = trained
    assert (output / "model.skops").exists()
    for part in ("documents: 300", "labels:", "vocabulary:", "time:", "cross_validation_3_fold"):
        assert part in result.stdout
    assert "segmenting (syllable)" in result.stderr  # the progress bar


def test_evaluate_script_prints_report(trained, data_file):
    output, _ = trained
    result = subprocess.run(
        [sys.executable, "evaluate.py", "--model", str(output), "--data", str(data_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for part in ("accuracy:", "macro-F1:", "weighted-F1:", "precision", "confusion matrix"):
        assert part in result.stdout


def test_evaluate_json_and_png_report(trained, data_file, tmp_path, capsys):
    output, _ = trained
    code = main(
        [
            "evaluate",
            "--model",
            str(output),
            "--data",
            str(data_file),
            "--json",
            "--report",
            str(tmp_path / "report"),
        ]
    )
    metrics = json.loads(capsys.readouterr().out)
    assert code == 0 and {"accuracy", "macro_f1", "n", "per_class"} <= set(metrics)
    assert metrics["n"] == 300 and metrics["accuracy"] > 0.9
    png = (tmp_path / "report" / "confusion_matrix.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_evaluate_writes_each_misclassified_article(trained, tmp_path, labor5_rows, capsys):
    output, _ = trained
    rows = labor5_rows[300:500]  # not trained on: some are wrong
    data = tmp_path / "held_out.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    errors = tmp_path / "errors.jsonl"
    args = ["evaluate", "--model", str(output), "--data", str(data), "--json"]
    assert main([*args, "--errors", str(errors)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    wrong = [json.loads(line) for line in errors.open(encoding="utf-8")]
    assert len(wrong) == round(metrics["n"] * (1 - metrics["accuracy"])) > 0
    by_id = {r["id"]: r for r in rows}
    for row in wrong:
        assert set(row) == {"id", "label", "predicted", "score", "text"}
        assert row["label"] == by_id[row["id"]]["label"] != row["predicted"]
        assert row["text"] == by_id[row["id"]]["text"][:300] and 0 < row["score"] <= 1


def test_evaluate_warns_of_labels_the_model_cannot_give(trained, tmp_path, labor5_rows, capsys):
    output, _ = trained
    rows = [dict(r) for r in labor5_rows[:20]]
    for row in rows[:3]:
        row["label"] = "wether"  # a typo in the data
    data = tmp_path / "typo.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    args = ["evaluate", "--model", str(output), "--data", str(data), "--json", "--no-progress"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "'wether' in 3 articles" in err and "the model's labels: 'crime'" in err
    assert json.loads(out)["labels_unknown_to_model"] == {"wether": 3}
    clean = tmp_path / "clean.jsonl"
    clean.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[3:]), "utf-8")
    assert main(["evaluate", "--model", str(output), "--data", str(clean), "--no-progress"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_classify_argument_and_stdin(trained):
    output, _ = trained
    text = "Công an bắt giữ nhóm đối tượng trộm cắp tài sản, khởi tố vụ án"
    by_arg = subprocess.run(
        [sys.executable, "-m", "newscat.cli", "classify", "--model", str(output), text],
        capture_output=True,
        text=True,
        check=True,
    )
    by_stdin = subprocess.run(
        [sys.executable, "-m", "newscat.cli", "classify", "--model", str(output), "--json"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    by_dash = subprocess.run(
        [sys.executable, "-m", "newscat.cli", "classify", "--model", str(output), "--json", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    assert by_arg.stdout.split("\t")[0] == "crime"
    assert json.loads(by_stdin.stdout)["label"] == "crime"
    assert json.loads(by_dash.stdout) == json.loads(by_stdin.stdout)


def test_classify_reads_a_file(trained, tmp_path, capsys):
    output, _ = trained
    article = tmp_path / "article.txt"
    text = "Công an bắt giữ nhóm đối tượng trộm cắp tài sản, khởi tố vụ án"
    article.write_bytes(text.encode("utf-16"))  # with a byte-order mark
    assert main(["classify", "--model", str(output), "--json", "--file", str(article)]) == 0
    by_file = json.loads(capsys.readouterr().out)
    assert main(["classify", "--model", str(output), "--json", text]) == 0
    assert by_file == json.loads(capsys.readouterr().out)
    with pytest.raises(SystemExit) as stop:  # argparse exits on usage errors
        main(["classify", "--model", str(output), "--file", str(article), text])
    assert stop.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["classify", "--model", str(output), "--file", str(tmp_path / "none.txt")]) == 1
    assert "none.txt" in capsys.readouterr().err


def test_evaluate_uses_the_shipped_model_by_default(data_file, capsys):
    assert main(["evaluate", "--data", str(data_file), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["n"] == 300 and metrics["accuracy"] > 0.8


def test_classify_empty_text_says_so(trained, capsys):
    output, _ = trained
    assert main(["classify", "--model", str(output), "  "]) == 1
    assert capsys.readouterr().err == "newscat: error: no label: the text is empty\n"


def test_errors_are_one_line_not_tracebacks(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path), "--data", "x.jsonl"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newscat: error:") and err.count("\n") == 1


def test_train_needs_data_or_recipe(tmp_path, capsys):
    assert main(["train", "--output", str(tmp_path / "m")]) == 2
    assert "give --data FILE... or --recipe FILE" in capsys.readouterr().err


def test_train_options_for_syllable_features_and_title_weight(data_file, tmp_path, capsys):
    output = tmp_path / "model"
    args = ["train", "--data", str(data_file), "--output", str(output), "--no-cache"]
    args += ["--segmenter", "dictionary", "--syllable-features", "--title-weight", "1"]
    assert main([*args, "--no-progress"]) == 0
    params = json.loads((output / "metadata.json").read_text(encoding="utf-8"))["params"]
    assert params["syllable_features"] is True and params["title_weight"] == 1


@pytest.mark.parametrize("module", ["newscat", "newscat.cli"])
def test_python_dash_m_runs_the_command(module):
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"newscat {newscat.__version__}"
