"""Strip page furniture from scraped news pages, keeping the article (headline + body).

Pages scraped from the Hanoi labor newspaper's site carry, besides the article: stray
markup ("-->"), a line of inline related links under the headline, repeated image
captions, the author's sign-off and, after the body, teaser blocks ("Có thể bạn quan
tâm", "Tin khác", ...) whose titles repeat twice. The topic of a page is its article, so
:func:`clean_page` drops the rest. It is also applied to plain articles, which it leaves
as they are (apart from blank lines and surrounding spaces).

Rules, applied in this order to the non-blank, stripped lines:

1. markup: HTML comments and tags, and "<!--" / "-->" at either end of a line;
2. teaser block: everything from the first line that is a teaser heading
   (:data:`TEASER_HEADINGS`, case-insensitive, trailing ":" ignored);
3. repeated title / caption: a line of 3+ words equal to an earlier one; when it repeats
   the headline, the line after it goes too if that line is contained in another line
   (a caption sentence echoing the body);
4. related links, only if rules 1-3 found furniture (on a plain article an unpunctuated
   lead or caption looks the same): one of the two lines after the headline, never the
   last line, of 15+ words without sentence punctuation (headlines glued together);
5. sign-off: a last line of at most 5 capitalised words and 40 characters, no digits.

Never-empty rule: if the cleaned text is shorter than both 200 characters and 20 % of
the page, cleaning has found no article, and the original text is returned untouched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["TEASER_HEADINGS", "PageCleaning", "clean_page", "clean_page_report"]

TEASER_HEADINGS: tuple[str, ...] = (
    "Có thể bạn quan tâm",
    "Nên xem",
    "Tin khác",
    "Xem thêm",
    "Phiên bản di động",
    "Tin liên quan",
    "Tin cùng chuyên mục",
)

_MIN_KEPT_CHARS = 200
_MIN_KEPT_SHARE = 0.2
_MIN_LINK_WORDS = 15
_MIN_REPEAT_WORDS = 3
_MAX_SIGNOFF_WORDS = 5
_MAX_SIGNOFF_CHARS = 40

_COMMENT = re.compile(r"<!--.*?-->")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EDGE_MARKER = re.compile(r"^(?:\s*(?:<!--|-->))+|(?:(?:<!--|-->)\s*)+$")
_SENTENCE_PUNCT = re.compile(r"[.!?…:;][\"”')]?(?:\s|$)")
_SIGNOFF_SPLIT = re.compile(r"[\s,&–-]+")

Removed = list[tuple[str, str]]


@dataclass(frozen=True)
class PageCleaning:
    """What :func:`clean_page_report` kept and dropped.

    Attributes
    ----------
    text : str
        The cleaned article, lines joined with "\\n" (or the original text, see below).
    removed : list of tuple of (str, str)
        ``(reason, line)`` for each dropped line, in page order within each rule; reasons:
        "markup", "teaser block", "repeated title", "caption", "related links", "sign-off".
        Empty when the original text was kept.
    kept_original : bool
        True when cleaning would have left (almost) nothing, so ``text`` is the input.
    note : str or None
        Why the original was kept; None otherwise.
    """

    text: str
    removed: Removed
    kept_original: bool = False
    note: str | None = None


def _key(line: str) -> str:
    return " ".join(unicodedata.normalize("NFC", line).split()).casefold()


_TEASER_KEYS = frozenset(_key(heading) for heading in TEASER_HEADINGS)
# A stripped line whose first character is ASCII keeps it as the first character of
# its key (or, followed by a combining mark, composes it into a non-ASCII one), so
# only lines starting like a teaser heading or with a non-ASCII character need a key.
_TEASER_FIRST = frozenset(key[0] for key in _TEASER_KEYS)
# Nor does a line with more words than the longest heading, unless the words past them
# are only ":" (stripped from the key): neither NFC nor casefold makes or removes
# whitespace, so the line's words are its key's.
_TEASER_WORDS = max(key.count(" ") + 1 for key in _TEASER_KEYS)


def _strip_markup(line: str, removed: Removed) -> str:
    if "<" not in line and "-->" not in line:  # every markup pattern needs one of them
        return line.strip()
    found = False
    for pattern in (_COMMENT, _TAG, _EDGE_MARKER):
        for match in pattern.finditer(line):
            removed.append(("markup", match.group().strip()))
            found = True
        line = pattern.sub(" ", line)
    return " ".join(line.split()) if found else line.strip()


def _cut_teasers(lines: list[str], removed: Removed) -> list[str]:
    for i, line in enumerate(lines):
        first = line[0]
        if first.isascii() and first.casefold() not in _TEASER_FIRST:
            continue
        words = line.split(maxsplit=_TEASER_WORDS)
        if len(words) > _TEASER_WORDS and words[-1].replace(":", "").strip():
            continue
        if _key(line).rstrip(" :") in _TEASER_KEYS:
            removed.extend(("teaser block", teaser) for teaser in lines[i:])
            return lines[:i]
    return lines


def _headline_index(lines: list[str]) -> int:
    """The headline is the first line, or the second when the first is a kicker ("X:")."""
    kicker = len(lines) > 1 and lines[0].endswith(":") and len(lines[0].split()) <= 12
    return 1 if kicker else 0


def _echoes_body(line: str, others: list[str]) -> bool:
    key = _key(line).rstrip(" .…!?")
    return len(key) >= 20 and any(key in _key(other) for other in others)


def _drop_repeats(lines: list[str], headline: str, removed: Removed) -> list[str]:
    kept: list[str] = []
    seen: set[str] = set()
    last_kept = None  # the key of kept[-1]
    i = 0
    while i < len(lines):
        key = _key(lines[i])
        if key not in seen or key.count(" ") + 1 < _MIN_REPEAT_WORDS:  # words joined by " "
            seen.add(key)
            kept.append(lines[i])
            last_kept = key
        elif key == last_kept:
            removed.append(("repeated title", lines[i]))
        else:
            removed.append(("caption", lines[i]))
            following = lines[i + 1 : i + 2]
            if key == headline and following:
                if _echoes_body(following[0], lines[: i + 1] + lines[i + 2 :]):
                    removed.append(("caption", following[0]))
                    i += 1
        i += 1
    return kept


def _looks_like_links(line: str) -> bool:
    return len(line.split()) >= _MIN_LINK_WORDS and not _SENTENCE_PUNCT.search(line)


def _drop_related_links(lines: list[str], head: int, removed: Removed) -> list[str]:
    for i in range(head + 1, min(head + 3, len(lines) - 1)):
        if _looks_like_links(lines[i]):
            removed.append(("related links", lines[i]))
            return lines[:i] + lines[i + 1 :]
    return lines


def _looks_like_signoff(line: str) -> bool:
    words = [word for word in _SIGNOFF_SPLIT.split(line) if word]
    return (
        len(line) <= _MAX_SIGNOFF_CHARS
        and 0 < len(words) <= _MAX_SIGNOFF_WORDS
        and all(word[0].isupper() for word in words)
        and not any(char.isdigit() for char in line)
        and line[-1] not in '!?:;…"”'
    )


def _drop_signoff(lines: list[str], head: int, removed: Removed) -> list[str]:
    if len(lines) > head + 2 and _looks_like_signoff(lines[-1]):
        removed.append(("sign-off", lines[-1]))
        return lines[:-1]
    return lines


def clean_page_report(text: str) -> PageCleaning:
    """Clean a scraped page and say what was removed and why.

    Parameters
    ----------
    text : str
        A scraped page or a plain article; "\\r\\n" and "\\r" line ends are accepted.

    Returns
    -------
    PageCleaning
        The article (headline + body), the removed lines with their reasons and, when
        cleaning would leave under 200 characters and under 20 % of the page, the
        original text with ``kept_original=True`` and a note.

    Examples
    --------
    >>> report = clean_page_report("-->\\nBão số 3 đổ bộ\\nGió giật cấp 12.\\nPV\\nTin khác\\nA")
    >>> report.text
    'Bão số 3 đổ bộ\\nGió giật cấp 12.'
    >>> [reason for reason, _ in report.removed]
    ['markup', 'teaser block', 'teaser block', 'sign-off']
    """
    removed: Removed = []
    lines = [_strip_markup(line, removed) for line in text.splitlines()]
    lines = _cut_teasers([line for line in lines if line], removed)
    head = _headline_index(lines)
    lines = _drop_repeats(lines, _key(lines[head]) if lines else "", removed)
    if removed:  # rule 4 needs evidence that this is a scraped page
        lines = _drop_related_links(lines, head, removed)
    lines = _drop_signoff(lines, head, removed)
    cleaned = "\n".join(lines)
    page_chars = len(text.strip())
    if len(cleaned) < min(_MIN_KEPT_CHARS, _MIN_KEPT_SHARE * page_chars):
        note = (
            f"cleaning would keep {len(cleaned)} of {page_chars} characters "
            f"(dropping {len(removed)} items); original text kept"
        )
        return PageCleaning(text=text, removed=[], kept_original=True, note=note)
    return PageCleaning(text=cleaned, removed=removed)


def clean_page(text: str) -> str:
    """Return the article (headline + body) of a scraped page, without page furniture.

    Parameters
    ----------
    text : str
        A scraped page or a plain article.

    Returns
    -------
    str
        The cleaned text, lines joined with "\\n"; plain articles come back unchanged
        and a page with no article found comes back as given.

    Examples
    --------
    >>> clean_page("Mưa lớn ở Hà Nội\\nMưa lớn ở Hà Nội\\nĐêm qua trời mưa to.\\nHà Anh")
    'Mưa lớn ở Hà Nội\\nĐêm qua trời mưa to.'
    >>> clean_page("Xem thêm\\nTin A\\nTin A")
    'Xem thêm\\nTin A\\nTin A'
    """
    return clean_page_report(text).text
