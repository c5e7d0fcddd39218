"""``python -m customer_workbook.batch``: see :mod:`customer_workbook.batch`.

The runner starts each notebook job as ``python -m customer_workbook.batch --job <job.json>``
(:func:`customer_workbook.batch.worker.main`), and first loads each run's data once as
``python -m customer_workbook.batch --preload <file>`` (:func:`customer_workbook.batch.preload.main`)."""
import sys

if len(sys.argv) > 1 and sys.argv[1] == "--job":
    from .worker import main as job_main

    sys.exit(job_main(sys.argv[2:]))
if len(sys.argv) > 1 and sys.argv[1] == "--preload":
    from .preload import main as preload_main

    sys.exit(preload_main(sys.argv[2:]))

from . import main  # noqa: E402

sys.exit(main())
