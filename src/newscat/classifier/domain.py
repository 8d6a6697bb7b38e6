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

The letter counts run in C (``_domain_counts.c``, built by ``pip install`` where a C
compiler is at hand); where it could not be built, the same counts are made in
Python (tested to agree on corpus text and random strings). A model whose TF-IDF
token table is built counts its known words by token id instead
(:meth:`~newscat.classifier.tfidf.TermTable.known_share`, in C where it could be
built), with the counts of :func:`known_counts`.
"""

from __future__ import annotations

import re
from collections.abc import Container

try:
    from . import _domain_counts as _compiled
except ImportError:  # built by pip where a C compiler is at hand; else pure Python
    _compiled = None

__all__ = [
    "MIN_KNOWN_SHARE",
    "MIN_VIETNAMESE_SHARE",
    "NOT_VIETNAMESE",
    "SAMPLE_CHARS",
    "FEW_KNOWN_TERMS",
    "known_counts",
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
# Every character _VIETNAMESE_LETTER matches, sorted: those of its class in each case.
_VIETNAMESE_LETTERS = "".join(
    sorted(
        {
            variant
            for letter in _VIETNAMESE_LETTER.pattern.strip("[]")
            for variant in (letter, letter.upper(), letter.lower(), letter.casefold())
            if _VIETNAMESE_LETTER.fullmatch(variant)
        }
    )
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
    if _compiled is not None:
        letters, vietnamese = _compiled.letter_counts(text, _VIETNAMESE_LETTERS)
    else:
        letters, vietnamese = _letter_counts_python(text)
    return vietnamese / letters if letters else 0.0


def _letter_counts_python(text: str) -> tuple[int, int]:
    """Letters and Vietnamese letters of ``text`` (the compiled module's fallback and
    reference)."""
    return sum(map(str.isalpha, text)), len(_VIETNAMESE_LETTER.findall(text))


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
    known, total = known_counts(segmented, vocabulary, mark)
    return known / total if total else 0.0


def known_counts(
    segmented: str, vocabulary: Container[str], mark: str | None = None
) -> tuple[int, int]:
    """How many of the words of ``segmented`` (or, with ``mark``, of their syllables)
    :func:`known_share` counts are in ``vocabulary``, and how many it counts.

    Examples
    --------
    >>> known_counts("The storm đổ_bộ 3", {"~đổ", "~bộ"}, mark="~")
    (2, 4)
    """
    words = [word for word in segmented.lower().split() if _LETTER.search(word)]
    if mark is not None:
        words = [mark + syllable for word in words for syllable in word.split("_") if syllable]
    return sum(word in vocabulary for word in words), len(words)
