"""python -m kepu.cli …: the `kepu` command."""

import sys

from kepu.cli.commands import main

sys.exit(main())
