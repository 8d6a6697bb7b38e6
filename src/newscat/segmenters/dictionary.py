"""Fast word segmentation by longest match over underthesea's word list.

underthesea's CRF segmenter is accurate but slow (200-300 KB/s per core). This
module segments with a plain dictionary instead, over 100 times faster (about 35
times in pure Python), at a word F1 of about 0.93 against the CRF's output on news text
(see ``benchmarks/segmenters.py``).

Word list
---------
``underthesea/corpus/data/Viet74K.txt``, shipped inside the installed underthesea
package (located with :mod:`importlib.resources`, never downloaded). It is the
list whose lower-cased form the CRF itself uses for its ``is_in_dict`` features
(``dictionary.bin`` of the CRF model), and it agrees best with the CRF of the
four lists underthesea ships (Viet11K/22K/39K/74K). Entries are put in the same
form as the input text (:func:`~newscat.text.normalize.normalize_tone_marks`, lower
case); entries longer than four syllables (no gain measured) and a few entries the
CRF keeps apart (:data:`_KEPT_APART`) are dropped.

Algorithm
---------
1. **Syllables.** The line is split into syllables, numbers and punctuation exactly
   as ``underthesea``'s regex tokenizer splits it (``1.600``, ``20/4``, ``TP.HCM``
   and ``GD-ĐT`` stay whole), using underthesea's own pattern. Most whitespace
   separated chunks are plain letters and become one token without running the
   regex, which makes this step several times faster than underthesea's.
   Unlike underthesea, tokens are not spelling-corrected: the output holds the
   input's syllables, in order.
2. **Longest match.** From left to right, the longest run of syllables (at most
   four) that is a word of the list, compared in lower case, becomes one token;
   a syllable that starts no word stays alone. Punctuation and numbers are in no
   entry, so words never span them.
3. **Proper names.** A run of two or more capitalised syllables (``Nguyễn Văn An``,
   ``Đà Nẵng``) is joined as the CRF joins names, unless the dictionary match
   there is longer. The run is cut before a dictionary word that starts inside it
   and ends past it (``Phó Chủ tịch`` gives ``Phó Chủ_tịch``), and it does not
   start on a title or function word (:data:`_NAME_TITLES`: ``Ông``, ``Bộ``,
   ``Theo`` ...).

The word set is a trie of syllables (nested dicts; a node holding the key ``""``
ends a word), so that each extension of a match costs one lookup of a syllable
string whose hash is already known, and the search stops as soon as no word can
follow.

Steps 1-3 run in C (``_longest_match.c``, built by ``pip install`` where a C
compiler is at hand; about four times as fast). There the trie becomes integers
once per segmenter: each syllable an id in a hash table over its characters, each
edge a slot of a second table; a line's syllables stay spans of the line, found by
hashing their lower-cased characters, and the segmented line is written once.
Where the module could not be built, the same functions run in Python, with the
same results (tested on corpus text and random strings).
"""

from __future__ import annotations

import functools
import hashlib
import re
from importlib.resources import files

import underthesea
from underthesea.pipeline.word_tokenize import regex_tokenize

from ..collector import collector_paused
from ..text.normalize import normalize_tone_marks
from .base import Segmenter

try:
    from . import _longest_match as _compiled
except ImportError:  # built by pip where a C compiler is at hand; else pure Python
    _compiled = None

__all__ = ["DictionarySegmenter", "syllables"]

_WORD_LIST = ("corpus", "data", "Viet74K.txt")
_MAX_SYLLABLES = 4
# Key of a trie node that ends a word: no syllable is empty.
_WORD_END = ""
# Bump when the algorithm changes; word-list changes are caught by the digest.
_ALGORITHM = "lm1"

# Dictionary entries underthesea's CRF (VLSP 2013 conventions) nearly always splits:
# function-word pairs, verb + direction, classifier + noun, "phó" + office. Chosen
# by how often they disagreed with the CRF on a sample of news text.
_KEPT_APART = frozenset(
    word.strip()
    for word in """
    cho biết|cho rằng|cho đến|so với|xảy ra|đưa ra|đưa vào|trở lên|trở về|năm nay|năm qua|
    đến nay|gần đây|trong khi|trước khi|sau đó|từ đó|từ đầu|từ ngày|kể từ|không phải|
    nếu không|hay không|còn lại|chỉ có|chỉ cần|cũng như|có một|có ý|khác nhau|thứ hai|
    của ông|của công|nâng cao|đi học|phó chủ tịch|phó giám đốc|phó thủ tướng|miền bắc|
    miền trung|miền nam|con đường|căn nhà|cuộc họp|vụ án
    """.split("|")
)

# Capitalised words that the CRF keeps apart from a name that follows them.
_NAME_TITLES = frozenset(
    """
    ông bà anh chị cô chú bác cụ em theo trong khi tại tới từ với và của cho ở phó bộ
    sở ban hội phòng trường báo cục viện tỉnh huyện xã thôn quận phường cảng sông núi
    đảo chùa đền làng đài nhà vụ đội tổ
    """.split()
)


# underthesea's tokenizer regex, compiled here: its module global is replaced when
# word_tokenize is called with fixed_words.
_TOKEN = re.compile("(" + "|".join(regex_tokenize.regex_patterns) + ")", re.VERBOSE)


def _plain(chunk: str) -> bool:
    """Whether underthesea's regex makes the chunk a single token without running it.

    Letters only, except chunks that its ``Th.S``/``Th.s`` pattern (an unescaped
    dot) would cut after four characters.
    """
    return chunk.isalpha() and (chunk[:2] != "Th" or chunk[3:4] not in ("s", "S"))


def _lower_word(chunk: str) -> bool:
    """Whether a "." after the chunk is a token of its own ("TPHCM." and "Tp." are not)."""
    return chunk.islower() and chunk.isalpha()


@functools.lru_cache(maxsize=50_000)
def _regex_tokens(chunk: str) -> tuple[str, ...]:
    """underthesea's regex on one chunk; chunks such as "(Hà" or "Nội:" recur often."""
    return tuple(m[0] for m in _TOKEN.finditer(chunk))


def syllables(line: str) -> list[str]:
    """Split a line into syllables, numbers and punctuation as underthesea does.

    Parameters
    ----------
    line : str
        One normalised line of text.

    Returns
    -------
    list of str
        The tokens, none containing whitespace.

    Examples
    --------
    >>> syllables("Hơn 1.600 người (TP.HCM), ngày 20/4.")
    ['Hơn', '1.600', 'người', '(', 'TP.HCM', ')', ',', 'ngày', '20/4', '.']
    """
    if _compiled is not None:
        return _compiled.syllables(line, _regex_tokens)
    return _syllables_python(line)


def _syllables_python(line: str) -> list[str]:
    """:func:`syllables` in pure Python (the compiled module's fallback and reference)."""
    chunks = line.split()
    if not chunks:
        return []
    last = chunks.pop()
    out: list[str] = []
    append = out.append
    for chunk in chunks:
        if chunk.isalpha() and (chunk[:2] != "Th" or _plain(chunk)):  # _plain, fewer calls
            append(chunk)
            continue
        head, tail = chunk[:-1], chunk[-1]
        if (tail in ",;!?)" and _plain(head)) or (tail == "." and _lower_word(head)):
            append(head)
            append(tail)
        elif chunk.isdecimal():
            append(chunk)
        else:
            # The space keeps lookaheads such as (?!$) seeing what the full line has.
            out.extend(_regex_tokens(chunk + " "))
    if _plain(last):
        append(last)
    else:
        out.extend(_regex_tokens(last))
    return out


@functools.cache
def _lexicon() -> tuple[dict, str]:
    """Load the word list once: (trie of syllables, version string)."""
    path = files("underthesea").joinpath(*_WORD_LIST)
    text = normalize_tone_marks(path.read_text(encoding="utf-8")).lower()
    words = set()
    for entry in text.split("\n"):
        parts = entry.split()
        if 2 <= len(parts) <= _MAX_SYLLABLES and all(p.replace("-", "").isalpha() for p in parts):
            words.add(" ".join(parts))
    words -= _KEPT_APART
    trie: dict = {}
    with collector_paused():  # 140,000 dicts
        for word in words:
            node = trie
            for part in word.split(" "):
                node = node.setdefault(part, {})
            node[_WORD_END] = True
    content = "\n".join(sorted(words)) + "\n\n" + "\n".join(sorted(_NAME_TITLES))
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]
    return trie, f"{_ALGORITHM}-underthesea{underthesea.__version__}-{len(words)}w-{digest}"


def _longest(trie: dict, low: list[str], i: int, n: int) -> int:
    """End (exclusive) of the longest dictionary word starting at syllable ``i``."""
    node = trie.get(low[i])
    end = j = i + 1
    while node is not None and j < n:
        node = node.get(low[j])
        j += 1
        if node is not None and _WORD_END in node:
            end = j
    return end


class DictionarySegmenter(Segmenter):
    """Longest match over underthesea's Viet74K word list, plus proper names.

    Over 100 times faster than the CRF segmenter; see the module docstring for the
    algorithm. The word list is loaded once per process.

    Examples
    --------
    >>> seg = DictionarySegmenter()
    >>> seg.segment_line("Công đoàn ngành Y tế Hà Nội tạo điểm tựa cho ông Nguyễn Văn An.")
    'Công_đoàn ngành Y_tế Hà_Nội tạo điểm_tựa cho ông Nguyễn_Văn_An .'
    """

    name = "dictionary"

    def __init__(self, line_cache_size: int = 10_000) -> None:
        self._trie, self.version = _lexicon()
        self._compiled_lexicon = None
        if _compiled is not None:
            with collector_paused():  # a list of 20,000 syllables
                self._compiled_lexicon = _compiled.Lexicon(self._trie, _NAME_TITLES)
        super().__init__(line_cache_size)

    def segment_line(self, line: str) -> str:
        """Segment one normalised line; syllables of a word are joined by ``_``."""
        if _compiled is not None and self._compiled_lexicon is not None:
            return self._compiled_lexicon.segment_line(line, _regex_tokens)
        return self._segment_line_python(line)

    def _segment_line_python(self, line: str) -> str:
        """:meth:`segment_line` in pure Python (the compiled module's fallback and reference)."""
        toks = _syllables_python(line)
        if not toks:
            return ""
        low = " ".join(toks).lower().split(" ")
        trie = self._trie
        n = len(toks)
        out: list[str] = []
        append = out.append
        i = 0
        while i < n:
            # This loop is the hot path: a syllable that starts no word costs one
            # lookup of a string whose hash is already known, and no call.
            end = _longest(trie, low, i, n) if low[i] in trie else i + 1
            tok = toks[i]
            if tok.istitle() and tok.isalpha() and low[i] not in _NAME_TITLES:
                end = max(end, self._name_end(low, toks, i, n))
            append(tok if end == i + 1 else "_".join(toks[i:end]))
            i = end
        return " ".join(out)

    def _name_end(self, low: list[str], toks: list[str], i: int, n: int) -> int:
        """End of the capitalised run from ``i``, or ``i + 1`` if it is not a name."""
        run = i + 1
        while run < n and toks[run].istitle() and toks[run].isalpha():
            run += 1
        for k in range(i + 1, run):
            if _longest(self._trie, low, k, n) > run:
                return k if k - i >= 2 else i + 1
        return run
