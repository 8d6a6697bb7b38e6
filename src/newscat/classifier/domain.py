"""Is a text something the model can judge? Two cheap measures of out-of-domain text.

A linear model gives every input a label, often with a high score, even gibberish
or text in another language. Two measures, each a share between 0 and 1, say
when a text is outside what a model has seen:

- :func:`vietnamese_share`: the share of its letters that only Vietnamese
  writing has: ``đ`` and the vowels with Vietnamese marks (``ă â ê ô ơ ư`` and
  the five tones). About a quarter of the letters of a Vietnamese article (the
  median is 0.27, the lowest 0.5 % of articles stay above 0.1); English,
  Chinese, Cyrillic text, Vietnamese typed without marks, or emoji alone (no
  letters at all) score 0 or close to it.
- :func:`known_share`: the share of its words (of syllables, for a model that
  counts syllables) that are terms of the model's vocabulary. English text and
  random letters score low.

Both are measured on the first :data:`SAMPLE_CHARS` characters of the text the
model reads (a headline and lead decide the language), which bounds their cost
at well under a millisecond per article. Below :data:`MIN_VIETNAMESE_SHARE` or
:data:`MIN_KNOWN_SHARE` a result is flagged uncertain. The thresholds were set on
real articles: of labor5 and VNTC articles, fewer than 0.5 % fall below either,
and most of those few are not Vietnamese articles (English posts, football
scores, text typed without marks): ``python benchmarks/out_of_domain.py``.
"""

from __future__ import annotations

import re
from collections.abc import Container

__all__ = [
    "MIN_KNOWN_SHARE",
    "MIN_VIETNAMESE_SHARE",
    "NOT_VIETNAMESE",
    "SAMPLE_CHARS",
    "FEW_KNOWN_TERMS",
    "known_share",
    "vietnamese_share",
]

SAMPLE_CHARS = 3000
MIN_VIETNAMESE_SHARE = 0.03
MIN_KNOWN_SHARE = 0.4
NOT_VIETNAMESE = "not Vietnamese text"
FEW_KNOWN_TERMS = "few known terms"

_VIETNAMESE_LETTER = re.compile(
    "[đăâêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
_LETTER = re.compile(r"[^\W\d_]")


def vietnamese_share(text: str) -> float:
    """Share of the letters of ``text`` that only Vietnamese writing has (``đ`` and
    vowels with Vietnamese marks); 0 for a text without letters.

    Examples
    --------
    >>> vietnamese_share("Bão lũ")
    0.4
    >>> vietnamese_share("Storm")
    0.0
    >>> vietnamese_share("😀 123")
    0.0
    """
    letters = sum(map(str.isalpha, text))
    return len(_VIETNAMESE_LETTER.findall(text)) / letters if letters else 0.0


def known_share(segmented: str, vocabulary: Container[str], mark: str | None = None) -> float:
    """Share of the words of a segmented text that are in ``vocabulary``.

    Words are the space-separated tokens that hold a letter, lowercased; with
    ``mark`` (a model counting syllables), each word is split into its syllables
    at ``_`` and looked up as ``mark + syllable``. 0 for a text without words.

    Examples
    --------
    >>> known_share("Bão số 3 đổ_bộ", {"bão", "số", "đổ_bộ"})
    1.0
    >>> known_share("The storm đổ_bộ", {"~đổ", "~bộ"}, mark="~")
    0.5
    """
    words = [word for word in segmented.lower().split() if _LETTER.search(word)]
    if mark is not None:
        words = [mark + syllable for word in words for syllable in word.split("_") if syllable]
    if not words:
        return 0.0
    return sum(word in vocabulary for word in words) / len(words)
