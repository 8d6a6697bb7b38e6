"""score_dataframe on a pandas DataFrame gives what it gives on the same Dask DataFrame."""

import dask.dataframe as dd
import pandas as pd
import pytest

import newscat
from newscat import DataError, score_dataframe

TEXTS = [
    "Bão số 3 đổ bộ vào Quảng Ninh, mưa lớn kéo dài gây ngập lụt nhiều nơi",
    "",
    "Công an bắt giữ nghi phạm trộm cắp tài sản tại chợ Đồng Xuân",
    None,
    "Công đoàn tặng quà Tết cho người lao động có hoàn cảnh khó khăn",
]


@pytest.fixture(scope="module")
def frame():
    return pd.DataFrame(
        {"id": ["a", "b", "c", "d", "e"], "text": TEXTS}, index=[10, 11, 12, 13, 14]
    )


@pytest.mark.parametrize("as_folder", [True, False])
def test_pandas_frame_gives_the_dask_result(frame, small_model_dir, as_folder):
    model = small_model_dir if as_folder else newscat.load(small_model_dir)
    result = score_dataframe(frame, model)
    assert isinstance(result, pd.DataFrame)
    expected = score_dataframe(dd.from_pandas(frame, npartitions=2), model).compute(
        scheduler="sync"
    )
    pd.testing.assert_frame_equal(result, expected)
    assert result.index.tolist() == [10, 11, 12, 13, 14]
    labels = result["label"].tolist()
    assert labels[0] == "weather" and labels[2] == "crime"
    assert result["error"].notna().tolist() == [False, True, False, True, False]


def test_pandas_frame_without_the_text_column_is_refused(frame, small_model_dir):
    with pytest.raises(DataError, match="the DataFrame has no column 'body'"):
        score_dataframe(frame, small_model_dir, text_field="body")
