"""The one ordered process pool that every parallel path uses: ``decide``, the nightly run's
parts and the what-if.

Jobs run in worker processes with a bounded number in flight (memory stays flat however many
there are) and results come back in job order, so the caller writes them in order. A worker
dies with its parent: on Linux it asks the kernel for SIGKILL when the parent goes, so a
``kill -9`` of a run leaves no orphaned workers behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

Result = TypeVar("Result")
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


#: glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_MAX = -1, -2, -4


def keep_freed_memory(pad: int = 256 << 20) -> None:
    """Have this process's allocator keep the memory it frees for its next allocations
    (glibc; elsewhere a no-op). For a worker that handles block after block of tens of
    megabytes: by default each such allocation gets fresh pages from the kernel and gives
    them back when freed, and touching fresh pages cost about a fifth of ``decide``'s CPU.
    The process's peak is unchanged; it just does not shrink between blocks. Only for
    workers, which end with their run."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return  # not glibc
    mallopt(_M_MMAP_MAX, 0)  # large blocks from the heap too, so they can be reused
    mallopt(_M_TRIM_THRESHOLD, 1 << 31)  # freed memory kept, not returned at once
    mallopt(_M_TOP_PAD, pad)  # and the heap grown in large steps


def _start_worker(setup: Callable[[], Any] | None) -> None:
    die_with_parent()
    if setup is not None:
        setup()


def in_order(task: Callable[..., Result], jobs: Iterable[tuple[Any, ...]], workers: int,
             *, per_worker: int = 2, fork: bool = False,
             setup: Callable[[], Any] | None = None) -> Iterator[Result]:
    """``task(*job)`` for every job, in job order, in ``workers`` processes with at most
    ``per_worker`` jobs each in flight; in this process when ``workers`` is 1 or less.

    ``fork`` starts the workers by forking (they inherit what is loaded, such as Django's
    settings; the caller closes shared connections first); ``setup`` runs in each worker
    as it starts (for example to close a connection it inherited).
    """
    queue = iter(jobs)
    if workers <= 1:
        for job in queue:
            yield task(*job)
        return
    context = multiprocessing.get_context("fork" if fork else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(setup,)) as pool:
        pending: deque[Future[Result]] = deque(
            pool.submit(task, *job) for job in islice(queue, per_worker * workers))
        while pending:
            result = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(task, *following))
            yield result
