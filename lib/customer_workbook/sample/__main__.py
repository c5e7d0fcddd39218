"""``python -m customer_workbook.sample``: generate the sample company (see :func:`.cli.main`)."""
import sys

from .cli import main

sys.exit(main())
