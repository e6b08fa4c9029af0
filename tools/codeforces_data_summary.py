#!/usr/bin/env python3
"""Independent cross-check of the code tasks' loaders: summarises the DeepCoder and CodeContests
files of a data dir (problem and test counts, interactive problems, limit histograms) with the
standard library only, so the figures the C++ tests assert can be re-derived by hand.

Usage: tools/codeforces_data_summary.py DATA_DIR
"""
import ast
import collections
import json
import re
import sys
from pathlib import Path


def limits(statement):
    time_ms = memory_mb = None
    for line in statement.splitlines():
        line = line.strip()
        if line.startswith("Time Limit:"):
            value = line[len("Time Limit:"):].strip()
            if value.startswith("{"):
                d = ast.literal_eval(value)
                time_ms = round(d["seconds"] * 1000 + d.get("nanos", 0) / 1e6)
            else:
                number, unit = value.split()
                time_ms = round(float(number) * (1 if unit == "ms" else 1000))
        elif line.startswith("Memory Limit:"):
            number, unit = line[len("Memory Limit:"):].split()
            memory_mb = round(float(number) / (1e6 if unit.lower() == "bytes" else 1))
    return time_ms or 2000, memory_mb or 256


def interactive(statement):
    match = re.search(r"^\s*Tags:\s*\n(.*)$", statement, re.M)
    tags = ast.literal_eval(match.group(1).strip()) if match else []
    return "interactive" in tags or "this is an interactive problem" in statement.lower()


def summarise(name, statements, test_counts, ids):
    print(f"{name}: {len(statements)} problems, {sum(test_counts)} tests (max {max(test_counts)} per problem)")
    print("  interactive:", [i for i, s in zip(ids, statements) if interactive(s)])
    lims = [limits(s) for s in statements]
    print("  time limits (ms):", dict(sorted(collections.Counter(t for t, _ in lims).items())))
    print("  memory limits (MB):", dict(sorted(collections.Counter(m for _, m in lims).items())))


def main():
    root = Path(sys.argv[1]) / "codeforces" / "deepcoder"
    cf = json.loads((root / "codeforces_test.json").read_text())
    ids = json.loads((root / "metadata_cf.json").read_text())
    tests = [len(json.loads(e["tests"]) if isinstance(e["tests"], str) else e["tests"]) for e in cf]
    summarise("codeforces", [e["problem"] for e in cf], tests, ids)
    cc = json.loads((root / "code_contests_test.json").read_text())
    summarise("codecontests", [e["problem"] for e in cc], [len(e["tests"]["inputs"]) for e in cc],
              [f"cc-{i}" for i in range(len(cc))])


if __name__ == "__main__":
    main()
