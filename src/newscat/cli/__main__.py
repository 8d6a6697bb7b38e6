"""``python -m newscat.cli``: the ``newscat`` command."""

import sys

from .app import main

sys.exit(main())
