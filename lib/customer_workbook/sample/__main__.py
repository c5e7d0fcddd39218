"""``python -m customer_workbook.sample``: generate the sample company (see :func:`.company.main`)."""
import sys

from .company import main

sys.exit(main())
