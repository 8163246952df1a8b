"""What machine a benchmark ran on, and percentile helpers, printed beside every figure."""

import os
import platform
import statistics
import sys


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
