"""Every output of a result carries the fields of newscat.schema, in the same order."""

from __future__ import annotations

import csv
import dataclasses
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from newscat import NewsClassifier, Prediction, score_archive, score_bag, score_dataframe
from newscat.schema import ERROR_FIELD, PREDICTION_FIELDS, RESULT_FIELDS, RESULT_SCHEMA
from newscat.scoring.batch import score_records
from newscat.scoring.engines.dask import RESULT_COLUMNS, _results_frame
from newscat.scoring.outputs import _parquet_schema

TEXTS = ["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2
LABELS = ["weather", "weather", "crime", "crime"] * 2


@pytest.fixture(scope="module")
def model() -> NewsClassifier:
    clf = NewsClassifier(segmenter="syllable", min_df=1, max_df=1.0)
    return clf.fit(TEXTS, LABELS)


def test_the_schema_names_each_field_once():
    assert len(set(RESULT_FIELDS)) == len(RESULT_FIELDS) == len(RESULT_SCHEMA)
    assert ERROR_FIELD not in RESULT_FIELDS
    assert {field.kind for field in RESULT_SCHEMA} <= {"text", "number", "flag", "ranking"}


def test_prediction_holds_the_prediction_fields_in_order(model):
    assert tuple(field.name for field in dataclasses.fields(Prediction)) == PREDICTION_FIELDS
    assert tuple(model.classify("trời mưa bão").to_dict()) == PREDICTION_FIELDS
    fields = iter(RESULT_FIELDS)  # the prediction fields keep the schema's order
    assert all(name in fields for name in PREDICTION_FIELDS)


def test_batch_results_labelled_or_not_have_the_same_fields(model):
    from newscat.readers.archive import Record

    results = score_records(model, [Record("a", "trời mưa bão"), Record("b", error="empty text")])
    assert [tuple(result) for result in results] == [(*RESULT_FIELDS, ERROR_FIELD)] * 2


def test_every_output_format_has_the_schema_fields_in_order(model, tmp_path):
    rows = [{"id": "a1", "text": "Trời mưa bão"}, {"id": "a2", "text": "Bắt kẻ trộm"}]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    columns = {}
    for name in ("out.jsonl", "out.csv", "out.parquet"):
        score_archive(source, tmp_path / name, model=model, jobs=1, progress=False)
    with open(tmp_path / "out.jsonl", encoding="utf-8") as f:
        columns["jsonl"] = [tuple(json.loads(line)) for line in f]
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as f:
        columns["csv"] = [tuple(next(csv.reader(f)))]
    columns["parquet"] = [tuple(pq.read_table(tmp_path / "out.parquet").column_names)]
    for found in columns.values():
        assert set(found) == {RESULT_FIELDS}
    assert tuple(_parquet_schema().names) == RESULT_FIELDS


def test_dask_results_have_the_schema_fields_then_error(model):
    import dask.bag as db
    import dask.dataframe as dd

    assert RESULT_COLUMNS == (*RESULT_FIELDS, ERROR_FIELD)
    bag = db.from_sequence([{"id": "a", "text": "mưa bão"}, {"id": "b"}], npartitions=1)
    assert [tuple(row) for row in score_bag(bag, model).compute(scheduler="sync")] == [
        RESULT_COLUMNS
    ] * 2
    frame = dd.from_pandas(pd.DataFrame({"id": ["a"], "text": ["mưa bão"]}), npartitions=1)
    result = score_dataframe(frame, model)
    assert tuple(result.columns) == RESULT_COLUMNS  # the meta, before computing
    assert tuple(result.compute(scheduler="sync").columns) == RESULT_COLUMNS
    empty = _results_frame([], pd.Index([]))
    assert str(empty.dtypes["score"]) == "float64" and str(empty.dtypes["uncertain"]) == "bool"
