"""`kcb06 worker`: the periodic jobs of the apps, kcb06's one background mechanism.

Each job (re-verify pending eligibility, deliver the XML outbox, ...) runs in its own thread:
it claims its own rows from the database (SKIP LOCKED on PostgreSQL), so any number of workers
can run and a killed worker loses nothing: an unfinished claim simply becomes claimable again.
A job that did work runs again at once; one that found nothing waits its interval. A job that
raises is logged and tried again after its interval; its own rows carry their retry state
(e.g. the XML outbox's attempts and backoff). There is no task queue (django-tasks was dropped:
docs/architecture.md, "Background work").
"""

import importlib
import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections

log = logging.getLogger("kcb06.worker")

# (module, function, idle interval in seconds). Every job listed is loaded: a missing module or
# function (a typo, a file moved) stops the worker at start, it is not skipped.
PERIODIC_JOBS: list[tuple[str, str, float]] = [
    ("kcb06.eligibility.jobs", "recheck_pending", 5.0),
    ("kcb06.interchange.jobs", "deliver_pending", 1.0),
    ("kcb06.visits.jobs", "prune_daily_check_ins", 3600.0),
    ("kcb06.audit.checkpoints", "checkpoint_daily", 600.0),
    ("kcb06.reports.jobs", "refresh_rollups", 300.0),
    ("kcb06.payments.jobs", "requeue_claims", 2.0),
    ("kcb06.reports.jobs", "generate_due_reports", 300.0),
    ("kcb06.reports.jobs", "push_to_province", 900.0),
]


def load_jobs() -> list[tuple[str, Callable[[], int], float]]:
    jobs = []
    for module_name, func_name, interval in PERIODIC_JOBS:
        module = importlib.import_module(module_name)
        jobs.append((f"{module_name}.{func_name}", getattr(module, func_name), interval))
    return jobs


def run_job_loop(name: str, func: Callable[[], int], interval: float, stop: threading.Event):
    while not stop.is_set():
        done = 0
        try:
            close_old_connections()
            done = func() or 0
        except Exception:  # noqa: BLE001 - a failing job must not kill the worker
            log.exception("periodic job %s failed", name)
        finally:
            close_old_connections()
        if not done:
            stop.wait(interval)


def run(*, once: bool = False) -> None:
    jobs = load_jobs()
    if once:
        for _name, func, _interval in jobs:
            func()
        return
    stop = threading.Event()
    threads = [
        threading.Thread(target=run_job_loop, args=(n, f, i, stop), name=n, daemon=True)
        for n, f, i in jobs
    ]
    for thread in threads:
        thread.start()
    log.info("worker started with %d periodic jobs", len(threads))
    try:
        while True:
            time.sleep(3600)
    finally:
        stop.set()
