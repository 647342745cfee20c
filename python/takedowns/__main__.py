"""``python -m takedowns`` is the ``takedowns`` command."""

import sys

from takedowns.cli import main

sys.exit(main())
