"""Input formats by file name: the one table of suffixes the readers use.

==============================  ==========
suffix (any case)               format
==============================  ==========
``.txt``                        ``text``
``.html``, ``.htm``             ``html``
``.jsonl``, ``.ndjson`` (.gz)   ``jsonl``
``.csv``, ``.tsv``, ``.tab``    ``csv``
``.parquet``                    ``parquet``
==============================  ==========

A new input format is one more row here and one more source class in
:mod:`newscat.readers.archive`.
"""

from __future__ import annotations

__all__ = [
    "ARTICLE_FORMATS",
    "CSV_DELIMITERS",
    "FORMATS_HELP",
    "INPUT_FORMATS",
    "ROWS_HELP",
    "input_format",
]

INPUT_FORMATS = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".parquet": "parquet",
}
ARTICLE_FORMATS = ("text", "html")  # one file, one article; what a folder is walked for
CSV_DELIMITERS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
FORMATS_HELP = "a folder, .jsonl(.gz), .ndjson(.gz), .csv, .tsv, .parquet, .txt or .html"
ROWS_HELP = ".jsonl(.gz), .ndjson(.gz), .csv, .tsv or .tab"
_LONGEST_FIRST = sorted(INPUT_FORMATS, key=len, reverse=True)


def input_format(name: str) -> str | None:
    """The format of a file by its name (any case), or None if it is none of them.

    Examples
    --------
    >>> input_format("2021/Bao.HTM"), input_format("a.ndjson.gz"), input_format("a.json")
    ('html', 'jsonl', None)
    """
    lower = name.lower()
    return next((INPUT_FORMATS[s] for s in _LONGEST_FIRST if lower.endswith(s)), None)
