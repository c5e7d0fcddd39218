"""One rule for native threads: model fits run BLAS / OpenMP code on one thread.

On a small shared machine (this project's CI has two cores, and a batch runs two notebooks at once),
every library's thread pool asking for all cores oversubscribes them: a churn-model fit took 51 s
instead of 2.7 s single-threaded. The workbook's fits are many and small, so they gain nothing from
threads; wrap them in :func:`one_thread`.
"""
from __future__ import annotations

from contextlib import AbstractContextManager

__all__ = ["one_thread"]


def one_thread() -> AbstractContextManager:
    """A context manager limiting BLAS and OpenMP thread pools to one thread (threadpoolctl)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)
