"""Train a newscat model: ``python train.py --data FILE... --output DIR`` (see --help)."""

import sys

from newscat.cli import main

if __name__ == "__main__":
    sys.exit(main(command="train"))
