"""What the classifier counts: the headline's weight and the n-gram terms of a text.

A segmented text is a string of space-separated tokens, compound words joined by
``_`` (``Công_đoàn``). Its terms are the word n-grams and, optionally, the n-grams
of its syllables (the words split at ``_``), marked with a leading
:data:`SYLLABLE_MARK` so that they stay apart from the word n-grams: a text is then
seen both as words and as syllables, which makes up for segmentation mistakes.
"""

from __future__ import annotations

__all__ = ["HEADLINE_MAX_CHARS", "SYLLABLE_MARK", "TermAnalyzer", "repeat_title"]

SYLLABLE_MARK = "~"
# A longer first line is not a headline but a whole paragraph (or a whole text
# without line breaks): repeating it would weigh everything alike.
HEADLINE_MAX_CHARS = 200


def repeat_title(text: str, times: int) -> str:
    """Put the headline (the first non-empty line, if at most :data:`HEADLINE_MAX_CHARS`
    characters long) ``times`` more times before ``text``.

    Examples
    --------
    >>> repeat_title("Bão số 3 đổ bộ\\nMưa lớn kéo dài.", 1)
    'Bão số 3 đổ bộ\\nBão số 3 đổ bộ\\nMưa lớn kéo dài.'
    >>> repeat_title("   \\n", 1)
    '   \\n'
    """
    if times == 0:  # no need to split the text into lines
        return text
    title = next((line for line in text.splitlines() if line.strip()), "")
    if not title or len(title) > HEADLINE_MAX_CHARS:
        return text
    return "\n".join([title] * times + [text])


def _ngrams(tokens: list[str], low: int, high: int, mark: str = "") -> list[str]:
    grams: list[str] = []
    for n in range(low, high + 1):
        if n == 1:
            grams += [mark + token for token in tokens]
        else:
            grams += [mark + " ".join(gram) for gram in zip(*(tokens[i:] for i in range(n)))]
    return grams


class TermAnalyzer:
    """Turn a segmented text into its lowercased n-gram terms.

    Used as the ``analyzer`` of scikit-learn's ``TfidfVectorizer``. Every token
    counts, one-character tokens and numbers included.

    Examples
    --------
    >>> TermAnalyzer((1, 2))("Công_đoàn tặng quà")
    ['công_đoàn', 'tặng', 'quà', 'công_đoàn tặng', 'tặng quà']
    >>> TermAnalyzer((1, 1), syllables=True)("Công_đoàn tặng")
    ['công_đoàn', 'tặng', '~công', '~đoàn', '~tặng']
    """

    def __init__(self, ngram_range: tuple[int, int], syllables: bool = False) -> None:
        self.ngram_range = tuple(ngram_range)
        self.syllables = syllables

    def __call__(self, segmented: str) -> list[str]:
        segmented = segmented.lower()
        terms = _ngrams(segmented.split(), *self.ngram_range)
        if self.syllables:
            terms += _ngrams(segmented.replace("_", " ").split(), *self.ngram_range, SYLLABLE_MARK)
        return terms

    def __repr__(self) -> str:
        return f"TermAnalyzer({self.ngram_range}, syllables={self.syllables})"
