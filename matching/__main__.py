"""``python -m matching``: see ``matching.cli``."""

import sys

from matching.cli import main

sys.exit(main())
