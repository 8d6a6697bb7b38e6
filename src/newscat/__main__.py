"""``python -m newscat``: the ``newscat`` command."""

import sys

from .cli.app import main

sys.exit(main())
