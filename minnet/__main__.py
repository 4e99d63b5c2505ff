"""``python -m minnet`` runs the ``minnet`` command."""

import sys

from minnet.cli import main

sys.exit(main())
