"""Verification of a typical signed outpatient envelope (XML1 + 5 drugs in XML2 + 3 services in
XML3), one core: everything `kcb06 xml verify` does to a file — markup and signature
structure, signxml verification, the signer's certificate (key usage, facility, validity on
the signing day), XSD per table and the cross-table rules.

Target (issue 17): p99 < 5 ms per file on one core.

    .venv/bin/python -m bench.bench_verify [--files 500] [--rounds 5]

Printed beside it, measured in the same run on the same files: the baseline (signxml's
verification alone, the cryptographic floor of any verifier built on it), portalsim's own
checks (checks.examine), and the machine (bench/machine.py) with a fixed Python loop's time.
Per-file figures are CPU time of this thread (time.thread_time), which is what "one core"
means on a shared machine; wall-clock percentiles are printed too.
"""

import argparse
import gc
import os
import time

from bench.bench_interchange import typical_visit
from bench.machine import percentile, python_loop_seconds, report, summary_ms
from kcb06.interchange.core import certs, package, signing


def measure(fn, files, rounds) -> tuple[list[float], list[float]]:
    cpu, wall = [], []
    for _ in range(rounds):
        for data in files:
            w0, c0 = time.perf_counter(), time.thread_time()
            fn(data)
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from signxml import XMLVerifier
    from signxml.verifier import SignatureConfiguration

    from portalsim.receiving import checks

    key, cert = certs.make_certificate("27901", "TTYT bench")
    signer = signing.Signer(key, cert)
    files = [
        package.sign_claim("27901", package.build_claim(typical_visit(i))[0], signer)
        for i in range(args.files)
    ]
    first = package.check_file(files[0])
    assert first["valid"], first["errors"]
    assert set(first["tables"]) == {"XML1", "XML2", "XML3"}
    config = SignatureConfiguration(require_x509=True, verification_time=cert.not_valid_before_utc)

    def baseline(data):
        XMLVerifier().verify(data, x509_cert=cert, expect_config=config)

    def portalsim(data):
        checks.examine(data, "claim", "27901", lambda facility, fingerprint: True, "3176")

    for fn in (package.check_file, baseline, portalsim):  # warm-up: schemas, caches
        for data in files[:50]:
            fn(data)
    gc.collect()
    load_before = os.getloadavg()
    loop = python_loop_seconds()
    ours_cpu, ours_wall = measure(package.check_file, files, args.rounds)
    base_cpu, _ = measure(baseline, files, args.rounds)
    sim_cpu, _ = measure(portalsim, files, args.rounds)
    load_after = os.getloadavg()
    name = "bench_verify"
    print(
        f"[{name}] load average before: {' '.join(f'{x:.2f}' for x in load_before)}, after: "
        f"{' '.join(f'{x:.2f}' for x in load_after)}; fixed Python loop: {loop:.3f} s CPU"
    )
    print(f"[{name}] envelope: {len(files[0])} bytes, {args.files} files x {args.rounds} rounds")
    print(f"[{name}] kcb06 check_file, CPU per file: {summary_ms(ours_cpu)}")
    print(f"[{name}] kcb06 check_file, wall per file: {summary_ms(ours_wall)}")
    print(f"[{name}] baseline, signxml verify alone, CPU per file: {summary_ms(base_cpu)}")
    print(f"[{name}] portalsim checks.examine, CPU per file: {summary_ms(sim_cpu)}")
    p99 = percentile(ours_cpu, 99) * 1000
    report(
        name,
        f"p99 {p99:.2f} ms CPU per file (baseline signxml alone p99 "
        f"{percentile(base_cpu, 99) * 1000:.2f} ms)",
        "p99 < 5 ms per file on one core",
        p99 < 5,
    )


if __name__ == "__main__":
    main()
