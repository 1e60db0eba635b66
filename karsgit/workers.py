"""Both cores for large runs: a forked process pool, used only where it pays.

Below PARALLEL_THRESHOLD files a pool costs more to start than it saves (the
5-file pre-commit run stays in one process); measured in benchmarks/.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

PARALLEL_THRESHOLD = 400
MAX_WORKERS = 4

J = TypeVar("J")
R = TypeVar("R")


def worker_count() -> int:
    return min(os.cpu_count() or 1, MAX_WORKERS)


def worth_forking(jobs: int, threshold: int = PARALLEL_THRESHOLD) -> bool:
    return jobs >= threshold and worker_count() >= 2


def fork_map(fn: Callable[[J], R], jobs: Iterable[J], chunksize: int = 1) -> Iterator[R]:
    """``map(fn, jobs)`` across forked workers, results in order as they arrive."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(worker_count(), mp_context=context) as pool:
        yield from pool.map(fn, jobs, chunksize=chunksize)
