"""Reading inputs: archives to label and labelled data to train on.

- :mod:`.formats`: the one table of input suffixes and their formats
- :mod:`.archive`: streaming sources of records (folders, JSON Lines, CSV/TSV, Parquet)
- :mod:`.labelled`: labelled articles for training and evaluation, read strictly
"""

from .archive import Archive, Record, iter_records
from .labelled import LabelledData, read_labelled

__all__ = ["Archive", "LabelledData", "Record", "iter_records", "read_labelled"]
