"""Tests for the dictionary (longest match) word segmenter.

Each test runs on both implementations: the compiled one (``_longest_match.c``) and
the pure-Python fallback used where it could not be built.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import underthesea
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize as underthesea_tokenize

from newscat.segmenters import dictionary
from newscat.segmenters.dictionary import DictionarySegmenter, syllables
from newscat.segmenters.registry import get_segmenter

SENTENCES = [
    "Công đoàn ngành Y tế Hà Nội tạo điểm tựa cho người lao động.",
    "Hơn 1.600 người có nguy cơ nợ lương, mất thưởng khi Tết cận kề (ngày 20/4).",
    "Theo LĐLĐ TP.HCM, từ ngày 15.11.2017 đến 25-12, giá 4.123,5 đồng/kg tăng 12%.",
    "Bộ GD-ĐT cho biết TPHCM. Ông Nguyễn Văn An, Phó Chủ tịch UBND tỉnh Bình Thuận.",
    "Xem http://vnexpress.net/tin-tuc hoặc gửi thư tới ban@baomoi.vn... v.v.",
    "Nhiệt độ 25°C, xe 43H-0530, ảnh 3x4, H'Mông, Mr. Smith, Thesis, ThS. Lan :))",
    "“Hòa bình” và sức khỏe — thủy điện!?",
]


@pytest.fixture(params=["compiled", "python"], autouse=True)
def implementation(request, monkeypatch) -> str:
    """Run the test with the compiled module, then with the pure-Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(dictionary, "_compiled", None)
    elif dictionary._compiled is None:
        pytest.skip("the compiled segmenter is not built here")
    return request.param


@pytest.fixture
def seg() -> DictionarySegmenter:
    return DictionarySegmenter()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Công đoàn", "Công_đoàn"),
        ("Hà Nội", "Hà_Nội"),
        ("người lao động", "người lao_động"),
        ("hòa bình và sức khỏe", "hòa_bình và sức_khỏe"),
    ],
)
def test_compound_words_are_joined(seg, line, expected):
    assert seg.segment_line(line) == expected


def test_case_is_kept(seg):
    assert seg.segment_line("CÔNG ĐOÀN ngành y tế") == "CÔNG_ĐOÀN ngành y_tế"
    assert seg.segment_line("Công Đoàn") == "Công_Đoàn"


def test_punctuation_is_split_off_and_never_joined(seg):
    assert seg.segment_line("Hà Nội, ngày mai.") == "Hà_Nội , ngày_mai ."
    assert seg.segment_line("công, đoàn") == "công , đoàn"
    assert seg.segment_line("(Hà Nội)") == "( Hà_Nội )"


def test_numbers_and_dates_stay_whole(seg):
    tokens = seg.segment_line("Hơn 1.600 người, ngày 20/4 và 15.11.2017, giá 4.123,5 đồng").split()
    assert {"1.600", "20/4", "15.11.2017", "4.123,5"} <= set(tokens)


@pytest.mark.parametrize("line", ["", "   ", "\t"])
def test_empty_line(seg, line):
    assert seg.segment_line(line) == ""
    assert syllables(line) == []


def test_proper_names_are_joined(seg):
    assert seg.segment_line("ông Nguyễn Văn An") == "ông Nguyễn_Văn_An"
    assert seg.segment_line("Theo Trần Thị Bình") == "Theo Trần_Thị_Bình"
    assert seg.segment_line("Phó Chủ tịch") == "Phó Chủ_tịch"
    assert seg.segment_line("Bộ Tài chính") == "Bộ Tài_chính"


def test_words_the_crf_keeps_apart_are_not_joined(seg):
    assert seg.segment_line("ông cho biết") == "ông cho biết"


@pytest.mark.parametrize("line", SENTENCES)
def test_syllables_match_underthesea_tokenizer(line):
    assert syllables(line) == underthesea_tokenize(line, use_token_normalize=False)


@pytest.mark.parametrize("line", SENTENCES)
def test_nothing_lost_or_reordered(seg, line):
    out = seg.segment_line(line)
    assert "  " not in out
    assert out.replace("_", " ").split() == syllables(line)


def test_version_is_stable(seg):
    assert DictionarySegmenter().version == seg.version
    assert f"underthesea{underthesea.__version__}" in seg.version
    code = "from newscat.segmenters.dictionary import DictionarySegmenter as D; print(D().version)"
    versions = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        versions.add(run.stdout.strip())
    assert versions == {seg.version}


def test_registered_segmenter():
    seg = get_segmenter("dictionary")
    assert isinstance(seg, DictionarySegmenter)
    assert seg.id == f"dictionary/{seg.version}"
    assert seg("Công đoàn Hà Nội\n\nngười lao động") == "Công_đoàn Hà_Nội người lao_động"
