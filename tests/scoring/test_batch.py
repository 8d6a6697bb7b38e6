"""Labelling one batch of records: what every engine runs."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from newscat.classifier.persistence import load_model
from newscat.readers.archive import Record
from newscat.scoring.batch import score_records


def test_records_are_labelled_on_one_blas_thread(small_model_dir):
    model = load_model(small_model_dir)
    classify_many, seen = model.classify_many, []

    def spy(texts, **kwargs):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return classify_many(texts, **kwargs)

    model.classify_many = spy
    results = score_records(model, [Record("a", "Bão số 3 gây mưa lớn ở Hà Nội")])
    assert results[0]["label"] == "weather"
    assert seen == [{1}]
