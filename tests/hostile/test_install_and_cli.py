"""A fresh machine and hostile input: what the install declares, what the README
promises, and how the ``newscat`` command meets bad text, bad options and missing extras.
"""

import ast
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import newscat
from newscat.cli import main
from newscat.cli.app import build_parser
from newscat.cli.classify import article_text
from newscat.errors import DataError, MissingExtraError
from newscat.extras import EXTRAS, require
from newscat.readers.archive import Archive, Record
from newscat.readers.labelled import read_labelled
from newscat.runtime import use
from newscat.scoring.outputs import output_format

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARTICLE = "Bão số 3 đổ bộ vào Quảng Ninh, mưa lớn kéo dài gây ngập lụt nhiều nơi"


def one_line_error(err: str) -> str:
    """The message of a CLI error, checked to be one ``newscat: error:`` line."""
    assert err.startswith("newscat: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.removeprefix("newscat: error: ").rstrip("\n")


def run_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newscat.cli", *args], capture_output=True, cwd="/", **kwargs
    )


# ------------------------------------------------------------------ install
@pytest.fixture(scope="module")
def project() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~;, ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_default_install_leaves_parquet_html_and_dask_to_extras(project):
    extras = project["optional-dependencies"]
    default = _names(project["dependencies"])
    assert not default & {"pyarrow", "trafilatura", "lxml_html_clean", "dask", "matplotlib"}
    assert "pyarrow" in _names(extras["parquet"])
    # justext imports lxml_html_clean; the pip of a new venv cannot match lxml[html_clean]
    assert {"trafilatura", "lxml_html_clean"} <= _names(extras["html"])
    assert set(EXTRAS) <= set(extras)
    (everything,) = extras["all"]
    assert set(re.fullmatch(r"newscat\[(.*)\]", everything)[1].split(",")) == set(EXTRAS)
    assert "newscat[all]" in extras["test"]


def _imported_packages() -> set[str]:
    """Top-level packages that newscat's modules import, directly or with extras.require."""
    found = set()
    for path in (ROOT / "src" / "newscat").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module)
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require":
                found.add(node.args[0].value)
    return {name.partition(".")[0] for name in found} - set(sys.stdlib_module_names)


def test_every_package_the_code_imports_is_declared(project):
    provides = {"scikit-learn": {"sklearn"}, "dask": {"dask", "distributed"}}
    default = {m for n in _names(project["dependencies"]) for m in provides.get(n, {n})}
    extras = project["optional-dependencies"]
    optional = {m for e in EXTRAS for n in _names(extras[e]) for m in provides.get(n, {n})}
    imported = _imported_packages() - {"newscat"}
    assert imported <= default | optional
    assert default <= imported  # nothing declared that the code does not use


def test_floors_match_the_apis_used(project):
    pins = {_names([r]).pop(): r for r in project["dependencies"]}
    assert ">=1.8" in pins["scikit-learn"]  # CalibratedClassifierCV(method="temperature")
    assert re.search(r"<\d+", pins["underthesea"])  # its word list is read in place
    html = {_names([r]).pop(): r for r in project["optional-dependencies"]["html"]}
    assert ">=2" in html["trafilatura"]  # bare_extraction returns a document object


def test_ci_runs_the_readme_test_command_as_written():
    commands = re.findall(r"```bash\n(python3 -m venv .venv && .*?)\n```", README)
    quick_start, test_command = commands
    assert quick_start.endswith(f'pip install . && newscat classify "{ARTICLE}"')
    assert test_command.endswith('pip install -e ".[test]" && python -m pytest')
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lint = "ruff check . && ruff format --check ."  # the README's development check
    assert test_command in ci.splitlines()[-2] and ci.splitlines()[-1] == lint
    assert f"\n{lint}\n" in README
    assert "upgrade" not in ci


def _checked_comments(block: str) -> list[tuple[str, object]]:
    """(expression, value) for each line ``EXPR  # VALUE[; words]`` whose VALUE is a literal."""
    checks = []
    for line in block.splitlines():
        code, _, comment = line.partition("  # ")
        try:
            value = ast.literal_eval(comment.split(";")[0])
            ast.parse(code, mode="eval")
        except (SyntaxError, ValueError):
            continue
        checks.append((code, value))
    return checks


def test_readme_python_snippets_run_as_written(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    checked = 0
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
        for code, value in _checked_comments(block):
            assert eval(code, namespace) == value, code
            checked += 1
    assert checked >= 5


def test_the_topic_guide_ships_with_the_repository():
    guide = (ROOT / "docs" / "TOPICS.md").read_text(encoding="utf-8")
    model = newscat.load()
    for label in model.classes_:
        assert f"| {label} | {model.label_names[label]} |" in guide
    for path in ("data/labor5.json", "models/labor5/README.md", "models/labor5/metadata.json"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "docs/TOPICS.md" in text and "shared/docs" not in text


# ----------------------------------------------------------- missing extras
@pytest.fixture
def no_pyarrow(monkeypatch):
    """pyarrow as if not installed: ``import pyarrow`` raises ImportError."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.delitem(sys.modules, "pyarrow.parquet", raising=False)


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_require_names_the_extra_to_install(extra, monkeypatch):
    monkeypatch.setitem(sys.modules, "some_missing_module", None)
    with pytest.raises(MissingExtraError) as raised:
        require("some_missing_module", extra)
    message = str(raised.value)
    assert message.endswith(f'pip install "newscat[{extra}]"') and "\n" not in message
    assert isinstance(raised.value, ImportError) and isinstance(raised.value, newscat.NewscatError)


def test_parquet_input_without_pyarrow_gives_the_install_hint(tmp_path, no_pyarrow, capsys):
    (tmp_path / "in.parquet").write_bytes(b"PAR1")
    with pytest.raises(MissingExtraError, match=r'pip install "newscat\[parquet\]"'):
        Archive(tmp_path / "in.parquet")
    assert main(["score", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "o.jsonl")]) == 1
    assert one_line_error(capsys.readouterr().err).endswith('pip install "newscat[parquet]"')
    assert not list(tmp_path.glob("o.jsonl*"))


def test_parquet_output_without_pyarrow_gives_the_install_hint(tmp_path, no_pyarrow, capsys):
    with pytest.raises(MissingExtraError, match="pyarrow is needed for Parquet files"):
        output_format(tmp_path / "out.parquet")
    (tmp_path / "in.jsonl").write_text('{"text": "Mưa lớn"}\n', encoding="utf-8")
    assert main(["score", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.parquet")]) == 1
    one_line_error(capsys.readouterr().err)
    assert output_format(tmp_path / "out.csv") == ".csv"  # other formats need nothing


PAGE = (
    "<html><body><article><p>Mưa lớn kéo dài ở Huế, nhiều phố ngập sâu.</p></article></body></html>"
)


def test_html_input_without_trafilatura_gives_the_install_hint(tmp_path, monkeypatch, capsys):
    page = PAGE
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text(page, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(
        MissingExtraError, match=r'trafilatura is needed for HTML.*"newscat\[html\]"'
    ):
        Record("a.html", html=page.encode()).resolve()
    args = ["score", str(tmp_path / "pages"), "-o", str(tmp_path / "o.jsonl"), "--jobs", "1"]
    assert main([*args, "--no-progress"]) == 1
    message = one_line_error(capsys.readouterr().err)
    assert message == (
        'trafilatura is needed for HTML pages but cannot be imported: pip install "newscat[html]"'
    )


def test_the_html_extra_is_importable_in_the_test_environment():
    assert require("lxml_html_clean", "html") and require("trafilatura", "html")
    assert Record("a.html", html=PAGE.encode()).resolve().text.startswith("Mưa lớn kéo dài")


def test_dask_engine_without_dask_is_one_line_before_any_output(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    (tmp_path / "in.jsonl").write_text('{"text": "Mưa lớn"}\n', encoding="utf-8")
    args = ["score", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl")]
    assert main([*args, "--engine", "dask", "--no-progress"]) == 1
    assert one_line_error(capsys.readouterr().err) == (
        "distributed is needed for the Dask engine but cannot be imported: "
        'pip install "newscat[dask]"'
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# --------------------------------------------------------------- hostile text
SURROGATES = "Bão số 3 \udcff đổ bộ \ud800 vào Quảng Ninh, mưa lớn \udce3"


@pytest.fixture
def cached_model(tmp_path):
    """The shipped model with its segmentation cache on, in a temporary folder."""
    with use(cache_dir=tmp_path / "cache"):
        yield newscat.load()


def test_lone_surrogates_become_replacement_characters(cached_model):
    replaced = re.sub("[\ud800-\udfff]", "\ufffd", SURROGATES)
    result = cached_model.classify(SURROGATES)
    assert result.label == "weather"
    assert result == cached_model.classify(replaced)
    many = cached_model.classify_many([SURROGATES, "\udcff", ARTICLE])
    assert [r.label for r in many][::2] == ["weather", "weather"]
    assert list(cached_model.predict([SURROGATES, "  \udcff  "])) == ["weather", "other"]
    assert newscat.classify(SURROGATES).label == "weather"
    assert newscat.normalize_text("\udcff") == "\ufffd"


def test_training_accepts_lone_surrogates(tmp_path):
    texts = ["mưa bão lớn \udcff", "bão gây mưa", "bắt kẻ trộm \ud800", "xử vụ trộm"] * 2
    labels = ["weather", "weather", "crime", "crime"] * 2
    clf = newscat.NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    with use(cache_dir=tmp_path):
        assert clf.fit(texts, labels).predict(["trời mưa bão \udcff"])[0] == "weather"


def test_undecodable_argv_and_stdin_are_replaced_not_a_crash(tmp_path):
    env = {**os.environ, "NEWSCAT_CACHE_DIR": str(tmp_path), "LC_ALL": "C.UTF-8"}
    broken = ARTICLE.encode("utf-8").replace("Quảng".encode(), b"Qu\xe1\xba")
    by_arg = run_cli("classify", b"\xff\xfe" + broken, env=env)
    by_stdin = run_cli("classify", "--json", input=b"\xff" + broken + b"\xc3", env=env)
    assert by_arg.returncode == 0, by_arg.stderr
    assert by_arg.stdout.split(b"\t")[0] == b"weather"
    assert by_stdin.returncode == 0, by_stdin.stderr
    assert json.loads(by_stdin.stdout)["label"] == "weather"


def test_closed_stdin_is_a_usage_error(monkeypatch, capsys):
    closed = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m newscat.cli classify <&-'],
        capture_output=True,
        text=True,
    )
    assert closed.returncode == 2
    assert "standard input, which is closed" in one_line_error(closed.stderr)
    monkeypatch.setattr(sys, "stdin", None)  # how Python shows a closed stdin
    assert main(["classify"]) == 2
    one_line_error(capsys.readouterr().err)


def test_an_article_over_the_record_limit_is_refused_naming_its_source(tmp_path, monkeypatch):
    monkeypatch.setattr("newscat.cli.classify.MAX_RECORD_BYTES", 1000)
    huge = tmp_path / "huge.txt"
    huge.write_bytes(ARTICLE.encode() * 20)
    for args in (["classify", "--file", str(huge)], ["explain", "--file", str(huge)]):
        with pytest.raises(DataError, match=r"huge.txt: longer than 1,000 bytes"):
            article_text(build_parser().parse_args(args))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode() * 20)))
    with pytest.raises(DataError, match=r"standard input: longer than 1,000 bytes"):
        article_text(build_parser().parse_args(["classify"]))
    small = tmp_path / "small.txt"
    small.write_bytes(ARTICLE.encode())
    assert article_text(build_parser().parse_args(["classify", "--file", str(small)])) == ARTICLE


def test_a_huge_labelled_file_is_refused_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr("newscat.readers.labelled.MAX_RECORD_BYTES", 1000)
    for label, size in (("weather", 1), ("crime", 20)):
        (tmp_path / label).mkdir()
        (tmp_path / label / "a.txt").write_text(ARTICLE * size, encoding="utf-8")
    with pytest.raises(DataError, match=r"crime/a.txt: longer than 1,000 bytes"):
        read_labelled(tmp_path)


# ---------------------------------------------------------------- options
@pytest.mark.parametrize(
    "args, wrong",
    [
        (["classify", "--top-k", "-1", "x"], "argument --top-k: expected an integer of at least 1"),
        (["classify", "--top-k", "0", "x"], "argument --top-k"),
        (["classify", "--top-k", "two", "x"], "got 'two'"),
        (["train", "--data", "a", "--output", "m", "--jobs", "0"], "argument --jobs"),
        (["train", "--data", "a", "--output", "m", "--jobs", "-3"], "argument --jobs"),
        (["train", "--data", "a", "--output", "m", "--cv", "1"], "expected 0 or an integer of"),
        (["train", "--data", "a", "--output", "m", "--C", "0"], "argument --C"),
        (["train", "--data", "a", "--output", "m", "--C", "inf"], "argument --C"),
        (["train", "--data", "a", "--output", "m", "--title-weight", "-1"], "--title-weight"),
        (["score", "a.jsonl", "-o", "o.jsonl", "--batch-size", "0"], "argument --batch-size"),
        (["score", "a.jsonl", "-o", "o.jsonl", "--engine", "spark"], "argument --engine"),
        (["nosuch"], "invalid choice: 'nosuch'"),
    ],
)
def test_invalid_options_are_one_line_usage_errors(args, wrong, capsys):
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    message = one_line_error(capsys.readouterr().err)
    assert wrong in message and message.endswith("--help')")


def test_top_k_larger_than_the_labels_shows_them_all(capsys):
    assert main(["classify", "--top-k", "99", "--json", ARTICLE]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["top_k"]) == len(newscat.load().classes_) == 6
    assert main(["classify", "--top-k", "1", ARTICLE]) == 0
    assert capsys.readouterr().out.count("\n") == 1


def test_recipe_with_a_conflicting_segmenter_is_refused_before_reading(tmp_path, capsys):
    recipe = ROOT / "data" / "labor5.json"
    args = ["train", "--recipe", str(recipe), "--output", str(tmp_path / "m")]
    assert main([*args, "--segmenter", "syllable", "--data", "missing.jsonl"]) == 2
    assert "--no-syllable-features" in one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "m").exists()


def test_recipe_options_override_the_recipe():
    from newscat.cli.train import _recipe_from_args

    recipe = ROOT / "data" / "labor5.json"
    args = build_parser().parse_args(
        ["train", "--recipe", str(recipe), "--output", "m", "--segmenter", "syllable"]
        + ["--no-syllable-features", "--C", "0.5", "--cv", "0"]
    )
    params = _recipe_from_args(args).params
    assert params["segmenter"] == "syllable" and params["syllable_features"] is False
    assert params["C"] == 0.5
    assert params["classifier"] == "nbsvm" and _recipe_from_args(args).cv_folds == 0


@pytest.mark.parametrize(
    "change, wrong",
    [
        ({"params": {"C": -1}}, "The 'C' parameter of NewsClassifier must be"),
        ({"params": {"segmentr": "syllable"}}, "unexpected keyword argument 'segmentr'"),
        ({"cross_validation": {"folds": 1}}, "cross_validation folds must be 0 (none) or 2"),
    ],
)
def test_a_bad_recipe_is_one_line_naming_the_file(tmp_path, change, wrong, capsys):
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps({"data": [{"path": "never-read.jsonl"}], **change}))
    assert main(["train", "--recipe", str(path), "--output", str(tmp_path / "m")]) == 1
    message = one_line_error(capsys.readouterr().err)
    assert message.startswith(str(path)) and wrong in message


def test_a_bad_model_is_exit_status_2(tmp_path, capsys):
    (tmp_path / "metadata.json").write_text("{")
    assert main(["classify", "--model", str(tmp_path), ARTICLE]) == 2
    assert str(tmp_path) in one_line_error(capsys.readouterr().err)


def test_ctrl_c_is_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("newscat.cli.classify.load", interrupted)
    assert main(["classify", ARTICLE]) == 130
    assert one_line_error(capsys.readouterr().err) == "interrupted"


def test_interrupted_scoring_says_how_to_resume(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("newscat.cli.score.score_archive", interrupted)
    assert main(["score", "in.jsonl", "-o", str(tmp_path / "o.jsonl")]) == 130
    assert one_line_error(capsys.readouterr().err) == (
        f"interrupted; run the same command with --resume to finish {tmp_path / 'o.jsonl'}"
    )
