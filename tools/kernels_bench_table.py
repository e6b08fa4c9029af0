#!/usr/bin/env python3
"""Turns the JSON of bench/kernels_cuda_benchmarks.cpp into a Markdown table.

Usage: kernels_bench_table.py BENCH.json > table.md

Each row: benchmark, time per call, achieved GB/s, % of the device's peak bandwidth (driver figures),
% of the device-to-device copy bandwidth measured in the same run (the practical roofline), and
TFLOP/s where the benchmark reports it.
"""
import json
import sys


def load_report(text: str) -> dict:
    """The report, or, when the run was cut short before Google Benchmark closed its JSON, the runs it
    finished: the text up to the last complete run, closed."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    end = len(text)
    for _ in range(200):
        end = text.rfind("}", 0, end)
        if end < 0:
            break
        try:
            report = json.loads(text[: end + 1] + "]}")
            report.setdefault("context", {})["cut_short"] = True
            return report
        except json.JSONDecodeError:
            continue
    return {}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        report = load_report(f.read())
    context = report.get("context", {})
    rows = [b for b in report.get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"]
    copy = next((b for b in rows if b["name"].startswith("BM_DeviceCopy")), None)
    copy_gbps = copy.get("GB/s") if copy else None

    print(f"Device: {context.get('device', '?')}; peak memory bandwidth {float(context.get('peak_GBps', 'nan')):.0f} GB/s"
          + (f"; device-to-device copy {copy_gbps:.0f} GB/s" if copy_gbps else ""))
    print(f"Date: {context.get('date', '?')}" + ("; the run was cut short: the rows it finished" if context.get("cut_short") else ""))
    print()
    print("| benchmark | time/call (us) | GB/s | % of peak | % of copy | TFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for b in rows:
        unit = b.get("time_unit", "us")
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]
        time_us = b["real_time"] * scale
        gbps = b.get("GB/s")
        peak = b.get("peak_pct")
        of_copy = 100.0 * gbps / copy_gbps if gbps and copy_gbps else None
        tflops = b.get("TFLOP/s")

        def fmt(v, digits):
            return "" if v is None else f"{v:.{digits}f}"

        print(f"| {b['name']} | {time_us:.1f} | {fmt(gbps, 0)} | {fmt(peak, 1)} | {fmt(of_copy, 1)} | {fmt(tflops, 2)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
