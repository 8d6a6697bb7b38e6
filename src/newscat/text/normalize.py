"""Text normalisation: one spelling for the same Vietnamese text.

Every text goes through :func:`normalize_text` before segmentation, at training
and at prediction time, so that "hoà" and "hòa" become the same token.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "normalize_tone_marks"]

# Old-style placement puts the tone mark on the second vowel of an open "oa", "oe",
# "uy" syllable (hoà, khoẻ, thuỷ); the new style, which underthesea's segmenter
# uses, puts it on the first (hòa, khỏe, thủy).
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_OLD_STYLE = re.compile(rf"(?<!q)(?<!Q)([oOuU])([aAeEyY])([{_TONES}])(?![^\W\d_]|[\u0300-\u036f])")
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff\u00ad]"
)
# Lone surrogates: undecodable bytes (surrogateescape) or bad JSON escapes ("\\ud800").
# They cannot be encoded, so they become U+FFFD, the replacement character.
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def normalize_tone_marks(text: str) -> str:
    """Move old-style tone marks of open "oa", "oe", "uy" syllables to the new style.

    Examples
    --------
    >>> normalize_tone_marks("hoà bình, sức khoẻ, thuỷ điện, hoàng hôn, quý")
    'hòa bình, sức khỏe, thủy điện, hoàng hôn, quý'
    """
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_STYLE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


def normalize_text(text: str) -> str:
    """Return ``text`` in NFC, new-style tone marks, without control characters or odd spaces.

    Line breaks are kept (paragraphs matter to the page cleaner); runs of spaces,
    tabs and non-breaking spaces become one space, blank-line runs one blank line. A
    lone surrogate (undecodable bytes read with ``surrogateescape``, a bad JSON
    escape) becomes U+FFFD, the replacement character, so every text can be encoded.

    Examples
    --------
    >>> normalize_text("  Hoà\\u00a0bình\\u200b  và\\tsức khoẻ \\r\\n\\r\\n\\r\\nTin  ")
    'Hòa bình và sức khỏe\\n\\nTin'
    >>> normalize_text("Hu\\udcc3\\udca9") == "Hu\\ufffd\\ufffd"
    True
    """
    text = _SURROGATES.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = normalize_tone_marks(text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
