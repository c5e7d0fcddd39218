"""``python -m customer_workbook.batch``: see :mod:`customer_workbook.batch`.

The runner starts each notebook job as ``python -m customer_workbook.batch --job <job.json>``
(:func:`customer_workbook.batch.worker.main`)."""
import sys

if len(sys.argv) > 1 and sys.argv[1] == "--job":
    from .worker import main as job_main

    sys.exit(job_main(sys.argv[2:]))

from . import main  # noqa: E402

sys.exit(main())
