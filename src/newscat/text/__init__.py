"""Text before segmentation: decoding files, cleaning scraped pages, normalising.

- :mod:`.decode`: bytes of a file to text (UTF-8, or UTF-16 with a byte-order mark)
- :mod:`.pages`: page furniture (teasers, captions, sign-offs) stripped from scraped pages
- :mod:`.normalize`: Unicode NFC, one tone-mark style, no control characters
"""

from .decode import decode_text, read_text_file
from .normalize import normalize_text
from .pages import clean_page

__all__ = ["clean_page", "decode_text", "normalize_text", "read_text_file"]
