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
# The same pattern on composed (NFC) text: "o"/"u" then a precomposed "a", "e", "y"
# carrying a tone and no other mark. Text is NFC already as a rule, so this saves
# decomposing and recomposing it.
_TONED = {
    unicodedata.normalize("NFC", vowel + tone): (vowel, tone)
    for vowel in "aAeEyY"
    for tone in _TONES
}
# Not after "q" ("quý" keeps its mark): checked once an "o"/"u" has matched, which lets
# the regex engine skip ahead to the next "o"/"u" (three times faster than a lookbehind
# in front).
_OLD_STYLE = re.compile(rf"[oOuU](?<![qQ][oOuU])[{''.join(_TONED)}](?![^\W\d_]|[\u0300-\u036f])")
_NEW_STYLE = {
    first + toned: unicodedata.normalize("NFC", first + tone) + vowel
    for first in "oOuU"
    for toned, (vowel, tone) in _TONED.items()
}
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff\u00ad]"
)
# Lone surrogates: undecodable bytes (surrogateescape) or bad JSON escapes ("\\ud800").
# They cannot be encoded, so they become U+FFFD, the replacement character.
_SURROGATES = re.compile("[\ud800-\udfff]")
# Runs of whitespace other than "\n" that are not one plain space already: a lone
# " " is left alone, which is most of them.
_SPACE_CHARS = "\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACES = re.compile(rf" [ {_SPACE_CHARS}]+|[{_SPACE_CHARS}][ {_SPACE_CHARS}]*")
# Most texts hold none of them: a search for one character of a set is faster than the
# substitution's scan.
_SPACE_CHAR = re.compile(f"[{_SPACE_CHARS}]")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def normalize_tone_marks(text: str) -> str:
    """Move old-style tone marks of open "oa", "oe", "uy" syllables to the new style.

    Examples
    --------
    >>> normalize_tone_marks("hoà bình, sức khoẻ, thuỷ điện, hoàng hôn, quý")
    'hòa bình, sức khỏe, thủy điện, hoàng hôn, quý'
    """
    composed = unicodedata.normalize("NFC", text)
    return _OLD_STYLE.sub(lambda m: _NEW_STYLE[m[0]], composed)


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
    if "  " in text or _SPACE_CHAR.search(text):
        text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
