"""Measure a newscat model: ``python evaluate.py --model DIR --data FILE`` (see --help)."""

import sys

from newscat.cli import main

if __name__ == "__main__":
    sys.exit(main(command="evaluate"))
