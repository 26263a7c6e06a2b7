"""`python -m leadbridge` runs the command line."""

import sys

from leadbridge.cli import main

sys.exit(main())
