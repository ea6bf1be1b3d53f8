"""``python -m linter`` is the ``peerlint`` command."""

import sys

from linter.cli import main

sys.exit(main())
