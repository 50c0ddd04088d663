"""``python -m twin.cli``: the ``quantacore`` program."""

import sys

from twin.cli import main

sys.exit(main())
