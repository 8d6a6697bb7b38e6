"""The Dask engine on a real LocalCluster: the same files as the local engine, and collections."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import dask.bag as db
import dask.dataframe as dd
import distributed
import pandas as pd
import pytest

from newscat import DataError
from newscat.classifier.persistence import load_model
from newscat.scoring.engines.dask import RESULT_COLUMNS, score_bag, score_dataframe
from newscat.scoring.job import score_archive
from tests.helpers import crash_after, errors_of, read_output, write_archive


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def rows(labor5_rows) -> list[dict]:
    return [{"id": row["id"], "text": row["text"]} for row in labor5_rows[200:290]]


@pytest.fixture(scope="module")
def local(tmp_path_factory, rows, small_model_dir) -> tuple[list[Path], Path]:
    """The inputs and the local engine's output for them."""
    folder = tmp_path_factory.mktemp("local")
    inputs = write_archive(folder / "archive", rows)
    output = folder / "out.jsonl"
    score_archive(inputs, output, model=small_model_dir, jobs=1, batch_size=8, progress=False)
    return inputs, output


def score_on_cluster(cluster, inputs, output, model, **options):
    """score_archive on the module's cluster, with the local run's batch size."""
    return score_archive(
        inputs,
        output,
        model=model,
        engine="dask",
        scheduler=cluster.scheduler_address,
        batch_size=8,
        progress=False,
        **options,
    )


def test_dask_engine_writes_the_local_engines_files(cluster, local, small_model_dir):
    inputs, local_output = local
    output = local_output.with_name("dask.jsonl")
    summary = score_on_cluster(cluster, inputs, output, small_model_dir)
    assert filecmp.cmp(output, local_output, shallow=False)  # record for record, byte for byte
    assert filecmp.cmp(f"{output}.errors.jsonl", f"{local_output}.errors.jsonl", shallow=False)
    assert summary.read == summary.labelled + summary.errors == summary.labelled + 5


def test_a_local_run_resumes_on_the_cluster(cluster, local, small_model_dir, tmp_path, monkeypatch):
    inputs, local_output = local
    output = tmp_path / "out.jsonl"
    with monkeypatch.context() as patch:
        crash_after(patch, batches=3)
        with pytest.raises(KeyboardInterrupt):
            score_archive(
                inputs, output, model=small_model_dir, jobs=1, batch_size=8, progress=False
            )
    summary = score_on_cluster(cluster, inputs, output, small_model_dir, resume=True)
    assert summary.resumed == 24
    assert output.read_bytes() == local_output.read_bytes()
    assert errors_of(output) == errors_of(local_output)


def test_dask_engine_starts_its_own_cluster_without_a_scheduler(local, small_model_dir, tmp_path):
    inputs, local_output = local
    output = tmp_path / "out.jsonl"
    score_archive(
        inputs, output, model=small_model_dir, engine="dask", jobs=1, batch_size=8, progress=False
    )
    assert output.read_bytes() == local_output.read_bytes()


def _labelled(local_output: Path) -> dict[str, dict]:
    return {row["id"]: row for row in read_output(local_output)}


def test_score_dataframe_on_the_cluster_equals_the_local_engine(
    client, rows, local, small_model_dir
):
    frame = pd.DataFrame(rows + [{"id": "blank", "text": " "}, {"id": "none", "text": None}])
    ddf = dd.from_pandas(frame, npartitions=3)
    result = score_dataframe(ddf, small_model_dir, batch_size=8).compute()
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert list(result.index) == list(frame.index) and list(result["id"]) == list(frame["id"])
    expected = _labelled(local[1])
    for row in result.iloc[: len(rows)].to_dict("records"):
        want = expected[row["id"]]
        assert pd.isna(row["error"])
        assert (row["label"], row["score"], row["uncertain"]) == (
            want["label"],
            want["score"],
            want["uncertain"],
        )
        assert json.loads(row["top_k"]) == want["top_k"]
    assert list(result["error"].iloc[-2:]) == [
        "empty text",
        "row 91: field 'text' is null (fields present: id, text)",
    ]


def test_score_bag_with_a_model_object_and_a_folder(client, rows, local, small_model_dir):
    expected = _labelled(local[1])
    elements = rows[:30] + ["Bão số 3 gây mưa lớn ở Hà Nội", {"id": "x"}]
    for model in (small_model_dir, load_model(small_model_dir)):
        results = score_bag(db.from_sequence(elements, npartitions=4), model).compute()
        assert len(results) == len(elements)
        for result in results[:30]:
            labelled = {name: result[name] for name in expected[result["id"]]}
            assert labelled == expected[result["id"]] and result["error"] is None
        assert results[30]["label"] is not None and results[30]["id"] == "3:6"
        assert (
            results[31]["error"] == "partition 3 item 7: missing field 'text' (fields present: id)"
        )


def test_score_dataframe_needs_the_text_column(small_model_dir):
    ddf = dd.from_pandas(pd.DataFrame({"body": ["x"]}), npartitions=1)
    with pytest.raises(DataError, match=r"no column 'text' \(columns: body\)"):
        score_dataframe(ddf, small_model_dir)
