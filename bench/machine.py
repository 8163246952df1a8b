"""What machine a benchmark ran on, and percentile helpers, printed beside every figure."""

import os
import platform
import statistics
import sys
import time


def describe() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"host={platform.node()} cpu='{cpu}' cores={os.cpu_count()} "
        f"python={sys.version.split()[0]} os={platform.system()} {platform.release()}"
    )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary_ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"n={len(ms)} median={statistics.median(ms):.2f} ms p95={percentile(ms, 95):.2f} ms "
        f"p99={percentile(ms, 99):.2f} ms max={max(ms):.2f} ms"
    )


def report(name: str, figure: str, target: str, ok: bool) -> None:
    verdict = "MEETS TARGET" if ok else "MISSES TARGET"
    print(f"[{name}] {figure} | target: {target} | {verdict}")
    print(f"[{name}] machine: {describe()}")


def _cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except OSError:
                continue
    return out


def cpu_by_group(groups: dict[str, int | str]) -> dict[str, float]:
    """CPU seconds used so far by each group: a pid (with its children) or a command name
    (every process of that name, e.g. 'postgres'). Call before and after a run, subtract."""
    out = {}
    for name, who in groups.items():
        if isinstance(who, int):
            pids = [who, *_children(who)]
        else:
            pids = []
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/comm", encoding="ascii") as f:
                            if f.read().strip() == who:
                                pids.append(int(entry))
                    except OSError:
                        continue
        out[name] = sum(_cpu_of(p) for p in pids)
    return out


def python_loop_seconds(n: int = 3_000_000) -> float:
    """Seconds a fixed pure-Python loop takes now. These machines' speed drifts by up to a
    quarter from one minute to the next; a figure printed beside this one can be read
    against it."""
    import time

    t0 = time.process_time()
    total = 0
    for i in range(n):
        total += i & 7
    return time.process_time() - t0


def timed(fn, runs: int) -> list[float]:
    """Wall-clock seconds of `runs` calls of fn, after one warm-up call."""
    import time

    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def ensure_database(root) -> None:
    """Create the PostgreSQL database DATABASE_URL names (a bench's own, kept between runs)
    if it is missing, and migrate it."""
    import subprocess

    db = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    listing = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-lqtA"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if not any(line.split("|", 1)[0] == db for line in listing.splitlines()):
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {db}"],
            check=True,
        )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, check=True)


def wait_until_up(proc, health_url: str, seconds: float, what: str, pause: float = 0.2):
    """`proc` once `health_url` answers 200; a server that does not come up within `seconds` is
    killed and the bench stops, naming `what`."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(health_url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(pause)
    proc.kill()
    raise SystemExit(f"{what} did not start")


def django_on_postgres(bench: str) -> dict:
    """Django set up on the PostgreSQL database DATABASE_URL names (a bench's own; SQLite is
    refused), migrated, with the demo organisation seeded: answers the organisation."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(f"{bench} needs DATABASE_URL=postgres://… (its own database)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcb06.settings")
    from kcb06.cli import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", "--noinput", verbosity=0)
    from kcb06.facilities.demo import seed

    return seed()
