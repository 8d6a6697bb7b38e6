"""Integer ids for the words and syllables of segmented texts.

The TF-IDF step and the article vectors both read a segmented text as its words
(lower-cased, split at whitespace) and, for syllable terms, their syllables (the
parts between ``_``), each looked up in a table of known tokens. :class:`TokenIds`
does that lookup for a whole batch and gives numpy arrays of ids, which the steps
turn into their columns.

The lookup runs in C (``_token_ids.c``, built by ``pip install`` where a C compiler
is at hand): it hashes the characters of each word where they stand instead of
making a string of it. Where it could not be built, the same ids come from
:func:`_lookup_python` (tested to agree on corpus text and random strings).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np

from .domain import known_counts

try:
    from . import _token_ids as _compiled
except ImportError:  # built by pip where a C compiler is at hand; else pure Python
    _compiled = None

__all__ = ["Lookup", "TokenIds"]


class Lookup(NamedTuple):
    """The ids of a batch of texts' words (-1 for an unknown one), how many words each
    text has, and the same for their syllables (empty unless asked for)."""

    words: np.ndarray
    word_counts: np.ndarray
    syllables: np.ndarray
    syllable_counts: np.ndarray


class TokenIds:
    """A table of distinct tokens; token ``i`` has id ``i``.

    Parameters
    ----------
    tokens : iterable of str
        The tokens, distinct, as the texts hold them once lower-cased.

    Examples
    --------
    >>> ids = TokenIds(["công_đoàn", "công", "đoàn", "tặng"])
    >>> found = ids.lookup(["Công_đoàn tặng quà", "đoàn_viên"], syllables=True)
    >>> found.words.tolist(), found.word_counts.tolist()
    ([0, 3, -1, -1], [3, 1])
    >>> found.syllables.tolist(), found.syllable_counts.tolist()
    ([1, 2, 3, -1, 2, -1], [4, 2])
    """

    def __init__(self, tokens: Iterable[str]) -> None:
        self.tokens = tuple(tokens)
        self.index = {token: i for i, token in enumerate(self.tokens)}
        if len(self.index) != len(self.tokens):
            seen: dict[str, int] = {}
            for i, token in enumerate(self.tokens):
                if seen.setdefault(token, i) != i:
                    raise ValueError(f"token {token!r} is given twice (ids {seen[token]} and {i})")
        self._compiled = None if _compiled is None else _compiled.TokenIds(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __reduce__(self):
        return TokenIds, (self.tokens,)

    def lookup(self, texts: Sequence[str], syllables: bool = False) -> Lookup:
        """The ids of the words of ``texts`` (each lower-cased and split at whitespace),
        and with ``syllables`` of their syllables (their parts between ``_``)."""
        if _compiled is None or self._compiled is None:
            return _lookup_python(self.index, texts, syllables)
        found = self._compiled.lookup(texts, syllables)
        return Lookup(*(np.frombuffer(part, dtype=np.int64) for part in found))

    def known_counts(self, text: str, known: np.ndarray, syllables: bool) -> tuple[int, int]:
        """Of the words of ``text`` that hold a letter (lower-cased, split at whitespace),
        or with ``syllables`` of their syllables, how many are tokens flagged in
        ``known`` (bool, one per token), and how many there are.

        The counts of :func:`~newscat.classifier.domain.known_share`, by token id.

        Examples
        --------
        >>> ids = TokenIds(["bão", "đổ", "bộ"])
        >>> ids.known_counts("Bão 3 đổ_bộ lạ", np.array([True, True, False]), syllables=True)
        (2, 4)
        """
        if len(known) != len(self.tokens):
            raise ValueError(f"known must have one flag per token ({len(self.tokens)})")
        flags = np.ascontiguousarray(known, dtype=np.bool_)
        if _compiled is None or self._compiled is None:
            return _known_counts_python(self.index, flags, text, syllables)
        return self._compiled.known_counts(text, flags, syllables)


def _lookup_python(index: dict[str, int], texts: Sequence[str], syllables: bool) -> Lookup:
    """:meth:`TokenIds.lookup` in pure Python, its definition."""
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
    lowered = [text.lower() for text in texts]
    split = [text.split() for text in lowered]
    # a word's syllables are its parts between "_", empty ones left out
    parts = [text.replace("_", " ").split() for text in lowered] if syllables else []
    words, syllable_list = list(chain.from_iterable(split)), list(chain.from_iterable(parts))
    return Lookup(
        np.fromiter(map(index.get, words, repeat(-1)), np.int64, count=len(words)),
        np.fromiter(map(len, split), np.int64, count=len(split)),
        np.fromiter(map(index.get, syllable_list, repeat(-1)), np.int64, count=len(syllable_list)),
        np.fromiter(map(len, parts), np.int64, count=len(parts)),
    )


class _Flagged(Container):
    """The tokens of ``index`` whose flag in ``known`` is set, as a container."""

    def __init__(self, index: dict[str, int], known: np.ndarray) -> None:
        self.index, self.known = index, known

    def __contains__(self, token: object) -> bool:
        i = self.index.get(token, -1)
        return i >= 0 and bool(self.known[i])


def _known_counts_python(
    index: dict[str, int], known: np.ndarray, text: str, syllables: bool
) -> tuple[int, int]:
    """:meth:`TokenIds.known_counts` in pure Python: the counts of
    :func:`~newscat.classifier.domain.known_counts` (a syllable behind the mark "" is
    the syllable itself)."""
    return known_counts(text, _Flagged(index, known), "" if syllables else None)
