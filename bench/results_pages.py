"""Benchmark: how long the outcomes pages take to answer, first view and warm (not a test).

    .venv/bin/python bench/results_pages.py [--index-events 100000] [--outcomes 500000]
                                    [--warm 20] [--data DIR]

Generates the synthetic history as ``make demo`` does (unless ``--data`` names one) and
computes the results pages' figures (``omp outcomes compute``), then, in a scratch database
with one commissioner, asks Django for each page through its test client, signed in: every
results page (Doncaster, each prison, each contract package area), the outcomes index and
the monitoring page. The *first view* is the first request for a page in a process that has
read nothing of its figures (what this process kept from earlier pages is forgotten first);
*warm* is the median of the next ``--warm`` requests. Prints each page's times and, for the
results pages, the median and slowest first view against the target (300 ms median,
first view included) with the ratio.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

#: The issue's target: every results page opens in 300 ms or less (median), first view too.
TARGET_MS = 300.0


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-events", type=int, default=100_000)
    parser.add_argument("--outcomes", type=int, default=500_000)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--data", type=Path)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["OMP_DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
        os.environ["OMP_VAR_DIR"] = scratch
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omp.web.settings")
        import django

        django.setup()
        logging.getLogger("omp.requests").setLevel(logging.WARNING)  # one line per request
        from django.conf import settings
        from django.core.management import call_command

        from omp.outcomes import stored_results
        from omp.outcomes.history import generate

        data = options.data or Path(scratch) / "analytics"
        if options.data is None:
            started = time.perf_counter()
            generate(data, options.index_events, options.outcomes, seed=2026)
            print(f"generated {options.index_events:,} index events and "
                  f"{options.outcomes:,} court outcomes in {time.perf_counter() - started:.1f} s")
        result_set = stored_results.compute_and_store(data)
        print(f"computed the figures of {result_set.places} results pages in "
              f"{result_set.seconds:.1f} s ({result_set.engine})")
        settings.OUTCOMES_DATA_DIR = data
        settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", verbosity=0, interactive=False)
        client = _signed_in_commissioner()

        _, found = stored_results.stored_catalogue(data)
        pages = [("/outcomes/", "index"), ("/outcomes/monitoring/", "monitoring")]
        pages += [(f"/outcomes/{place.slug}/", place.name) for place in found.places]
        print("\nThe first request of the process (the index) also pays for Django's own start-up.")
        print(f"{'page':<26} {'':<38} {'first':>9} {'warm':>9}")
        firsts: list[float] = []
        for url, name in pages:
            with stored_results._lock:
                stored_results._read.clear()  # as a process that has read nothing yet
            started = time.perf_counter()
            response = client.get(url)
            first = _ms(started)
            assert response.status_code == 200, (url, response.status_code)
            warm = []
            for _ in range(options.warm):
                started = time.perf_counter()
                client.get(url)
                warm.append(_ms(started))
            print(f"{url:<26} {name[:38]:<38} {first:7.1f}ms {statistics.median(warm):7.1f}ms")
            if url.count("/") == 3 and name not in ("index", "monitoring"):
                firsts.append(first)
        median = statistics.median(firsts)
        print(f"\nresults pages: {len(firsts)}; first view median {median:.1f} ms, slowest "
              f"{max(firsts):.1f} ms; target ≤ {TARGET_MS:.0f} ms median "
              f"(ratio {median / TARGET_MS:.2f}, slowest {max(firsts) / TARGET_MS:.2f})")


def _signed_in_commissioner():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("bench.commissioner", password="a-long-bench-password")
    user.groups.add(Group.objects.get(name="commissioner"))
    client = Client()
    client.force_login(user)
    return client


if __name__ == "__main__":
    main()
