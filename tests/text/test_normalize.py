import pytest

from newscat.text.normalize import normalize_text, normalize_tone_marks


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("khoẻ", "khỏe"),
        ("thuỷ", "thủy"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ", "HÒA"),
        ("uỷ ban", "ủy ban"),
        ("tuỳ", "tùy"),
        ("hoạ sĩ", "họa sĩ"),
    ],
)
def test_old_style_tone_marks_become_new_style(old, new):
    assert normalize_tone_marks(old) == new


@pytest.mark.parametrize(
    "word",
    [
        "hoàng",
        "ngoài",
        "quý",
        "quỳnh",
        "thuyền",
        "khuya",
        "loẹt",
        "hòa",
        "hoặc",
        "HOẶC",
        "thuật",
        "Huệ",
        "nhuệ",
        "Hoằng",
        "khoẻo",
    ],
)
def test_words_with_one_correct_spelling_are_untouched(word):
    assert normalize_tone_marks(word) == word


def test_decomposed_input_becomes_nfc():
    decomposed = "Ha\u0300 No\u0302\u0323i"
    assert normalize_text(decomposed) == "Hà Nội"


def test_control_characters_and_odd_spaces_removed():
    text = "Công\u00a0đoàn\u200b\x07 ngành\t\tY tế\ufeff\r\nHà   Nội"
    assert normalize_text(text) == "Công đoàn ngành Y tế\nHà Nội"


def test_paragraph_breaks_kept_once():
    assert normalize_text("A\n\n\n\nB\n \nC") == "A\n\nB\n\nC"


def test_one_character_tokens_and_digits_survive():
    assert normalize_text("ở ý 5 Ư") == "ở ý 5 Ư"
