"""Tests of the headline weight and the n-gram terms."""

import pytest
from sklearn.feature_extraction.text import CountVectorizer

from newscat.classifier.features import (
    HEADLINE_MAX_CHARS,
    SYLLABLE_MARK,
    TermAnalyzer,
    repeat_title,
)


def test_title_is_the_first_non_empty_line():
    assert repeat_title("\n  \nTiêu đề\nThân bài", 2) == "Tiêu đề\nTiêu đề\n\n  \nTiêu đề\nThân bài"


def test_a_first_line_too_long_for_a_headline_is_not_repeated():
    paragraph = "Mưa lớn " * (HEADLINE_MAX_CHARS // 8 + 1)
    assert repeat_title(paragraph + "\nThân bài", 1) == paragraph + "\nThân bài"


def test_zero_times_leaves_text_alone():
    assert repeat_title("Tiêu đề\nThân bài", 0) == "Tiêu đề\nThân bài"


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)])
def test_word_terms_are_those_of_scikit_learn_word_analyzer(ngram_range):
    text = "Công_đoàn  Tặng quà Tết 2024 ở Hà_Nội , ý kiến"
    reference = CountVectorizer(token_pattern=r"\S+", ngram_range=ngram_range).build_analyzer()
    assert sorted(TermAnalyzer(ngram_range)(text)) == sorted(reference(text))


def test_syllable_terms_are_marked_and_kept_apart_from_words():
    terms = TermAnalyzer((1, 2), syllables=True)("Công_đoàn Hà_Nội")
    words = [t for t in terms if not t.startswith(SYLLABLE_MARK)]
    syllables = [t[1:] for t in terms if t.startswith(SYLLABLE_MARK)]
    assert words == ["công_đoàn", "hà_nội", "công_đoàn hà_nội"]
    assert syllables == ["công", "đoàn", "hà", "nội", "công đoàn", "đoàn hà", "hà nội"]


def test_empty_text_has_no_terms():
    assert TermAnalyzer((1, 2), syllables=True)("   ") == []
