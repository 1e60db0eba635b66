"""Both cores for large runs: a forked process pool, used only where it pays.

Below PARALLEL_THRESHOLD files a pool costs more to start than it saves (the
5-file pre-commit run stays in one process); measured in benchmarks/.
"""

from __future__ import annotations

import os
import time
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


def _die_with_parent(parent: int) -> None:
    """Worker initializer: a worker outlives a SIGKILLed parent blocked on the job
    pipe, whose other end its sibling workers hold, forever. Linux sends it SIGKILL
    when the parent dies (PR_SET_PDEATHSIG); elsewhere a watchdog thread polls."""
    import signal
    import sys
    import threading

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="karsgit-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_WATCH_SECONDS = 1.0


def fork_map(fn: Callable[[J], R], jobs: Iterable[J], chunksize: int = 1) -> Iterator[R]:
    """``map(fn, jobs)`` across forked workers, results in order as they arrive.

    The workers die with this process, even when it is SIGKILLed."""
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
        worker_count(), mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        yield from pool.map(fn, jobs, chunksize=chunksize)
