"""The one ordered process pool: results in job order, and workers that die with their
parent (a ``kill -9`` of a nightly run leaves none behind)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from omp.process_pool import in_order


def _square_after(delay: float, value: int) -> int:
    time.sleep(delay)
    return value * value


def test_results_come_back_in_job_order_whatever_finishes_first() -> None:
    jobs = [(0.05 * (5 - i), i) for i in range(6)]  # the first jobs take longest
    assert list(in_order(_square_after, jobs, workers=2)) == [i * i for i in range(6)]
    assert list(in_order(_square_after, jobs, workers=1)) == [i * i for i in range(6)]


PARENT = """
import os, sys, time
from omp.process_pool import in_order

def sleep_and_report(path):
    with open(path, "a") as out:
        out.write(f"{os.getpid()}\\n")
    time.sleep(60)
    return 0

for _ in in_order(sleep_and_report, [(sys.argv[1],)] * 4, workers=2):
    pass
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has died but not yet been reaped by init: it counts as gone.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def test_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(pids_file)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
            not pids_file.exists() or len(pids_file.read_text().split()) < 2):
        time.sleep(0.05)
    workers = [int(pid) for pid in pids_file.read_text().split()]
    assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _allocate_and_count(size: int) -> int:
    return bytearray(size).count(0)


def test_a_worker_that_keeps_its_freed_memory_still_gives_every_result() -> None:
    """``keep_freed_memory`` (decide's workers) changes where memory comes from, not what a
    worker computes: blocks larger than glibc's mmap threshold, allocated and freed over
    and over, come back right and in order."""
    from omp.process_pool import keep_freed_memory

    sizes = [(40 << 20) + i for i in range(4)]
    assert list(in_order(_allocate_and_count, [(size,) for size in sizes], workers=2,
                         setup=keep_freed_memory)) == sizes
