"""Run N concurrent check-ins in threads against a real database file and print the tickets.

In-process tests on SQLite use Django's shared-cache in-memory database, whose table locks do
not behave like a real SQLite file under concurrency; this probe runs in its own process on a
file (KCB06_DATA_DIR) so the SQLite case is tested the way a facility runs it.
Usage: python -m tests.visits.race_probe N  (env: KCB06_DATA_DIR, KCB06_PORTAL_URL)
"""

import json
import sys
import threading


def main(n: int) -> None:
    from kcb06.cli import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    from kcb06.facilities.demo import seed
    from kcb06.visits import services
    from kcb06.visits.models import Ticket
    from tests.visits.helpers import principal, synthetic

    org = seed()
    p = principal(org)
    scans = [synthetic(i) for i in range(n)]
    services.check_in(scans[0], "K19", p)
    connections.close_all()
    barrier = threading.Barrier(n - 1)
    errors = []
    dup = synthetic(0)

    def worker(scan):
        try:
            barrier.wait(30)
            services.check_in(scan, "K19", p)
            services.check_in(dup, "K19", p)  # a repeat scan in the crowd: same ticket
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(s,)) for s in scans[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    numbers = sorted(Ticket.objects.filter(department__code="K19").values_list("number", flat=True))
    print(json.dumps({"numbers": numbers, "errors": errors}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
