#!/usr/bin/env python3
"""Issue 5's targets from one device check (bench/device_check.sh step 4): reads the engine table
(engine_cuda_bench --out) and the transformers table (tools/hf_generate_bench.py --out) of the same run and
writes the figures the issue asks for, each beside its target, as markdown:

  (a) batch-1 decode tokens/s against the weight-bandwidth roofline (target >= 80%)
  (b) 256 sequences, output tokens/s of the engine end to end (target >= 15,000)
  (c) the same workloads through transformers generate, and the engine's ratio (target >= 10x on (b))
  (d) 64 sequences at 16k context against the KV-bandwidth bound
  and what CUDA graphs and device sampling bring (each decode workload replayed and eager), and, given the
  small-batch decode table of a run with R1EVAL_DEPENDENT_LAUNCH=0 (--plain-launch), what programmatic
  dependent launch brings.

    python3 tools/device_summary.py ENGINE.md HF.md [--plain-launch PLAIN.md] [--checks TEXT [--checks-failed]]
                                    [--parity PARITY.md] [--out SUMMARY.md]

--checks is the run's verdict on correctness (tests, parity, fallbacks taken, the bundle's freshness), printed
above the table with parity.md's verdicts (--parity: the issue's 1e-2 bound per comparison); with --checks-failed a target reached is written "yes, but the checks failed": a speed
measured on wrong results is not a target met.

A table that is missing or has no matching row gives "not measured" in that line, never a guess.
"""
import argparse
import re
import sys


def table_rows(path):
    """{workload: [numbers or None, ...]} of a markdown table's rows (first column is the workload)."""
    rows = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return rows
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[1] or cells[0] in ("workload", "---"):
            continue
        values = []
        for cell in cells[1:]:
            try:
                values.append(float(cell.rstrip("%")))
            except ValueError:
                values.append(None)
        rows[cells[0]] = values
    return rows


def find(rows, pattern):
    for name, values in rows.items():
        if re.search(pattern, name):
            return name, values
    return None, None


def parity_verdicts(path):
    """The lines of parity.md that judge it: the issue's 1e-2 bound per comparison, the bound enforced, a
    greedy failure; a note when there is no parity.md."""
    try:
        with open(path) as f:
            text = f.read().splitlines()
    except OSError:
        return ["Parity: not run (no parity.md)", ""]
    kept = [line for line in text if line.startswith(("Issue's bound", "Bound this check", "FAILED"))]
    return [f"Parity: {line}" for line in kept] + [""] if kept else []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("engine")
    parser.add_argument("hf")
    parser.add_argument("--plain-launch")
    parser.add_argument("--checks")
    parser.add_argument("--checks-failed", action="store_true")
    parser.add_argument("--parity", help="parity.md of the same run (tools/engine_parity.py): its verdict lines")
    parser.add_argument("--out")
    args = parser.parse_args()
    engine, hf = table_rows(args.engine), table_rows(args.hf)
    lines = [f"Checks: {args.checks}", ""] if args.checks else []
    lines += parity_verdicts(args.parity) if args.parity else []
    lines += ["| target | measured | goal | met |", "|---|---|---|---|"]
    reached = "yes, but the checks failed" if args.checks_failed else "yes"

    def add(target, measured, goal, met):
        lines.append(f"| {target} | {measured} | {goal} | {reached if met else ('no' if met is not None else '-')} |")

    name, row = find(engine, r"^decode batch 1, context 512, CUDA graph")
    if row and row[0] and row[3]:
        add("(a) batch-1 decode, context 512 (CUDA graph)", f"{row[0]:.0f} tokens/s = {row[3]:.0f}% of roofline",
            ">= 80% of roofline", row[3] >= 80)
    else:
        add("(a) batch-1 decode, context 512 (CUDA graph)", "not measured", ">= 80% of roofline", None)

    name, row = find(engine, r"^engine: 256 x")
    engine_b = row[0] if row else None
    add("(b) " + (name or "engine: 256 sequences"), f"{engine_b:.0f} output tokens/s" if engine_b else "not measured",
        ">= 15,000 output tokens/s", engine_b >= 15000 if engine_b else None)

    hf_name, hf_row = find(hf, r": 256 x \(")
    if engine_b and hf_row and hf_row[0]:
        ratio = engine_b / hf_row[0]
        add("(c) engine / transformers, 256 sequences", f"{ratio:.1f}x ({hf_row[0]:.0f} tokens/s: {hf_name})",
            ">= 10x", ratio >= 10)
    else:
        add("(c) engine / transformers, 256 sequences", "not measured", ">= 10x", None)
    _, eng1 = find(engine, r"^decode batch 1, context 512, CUDA graph")
    hf1_name, hf1 = find(hf, r": 1 x \(")
    if eng1 and eng1[0] and hf1 and hf1[0]:
        add("(c) engine / transformers, batch 1", f"{eng1[0] / hf1[0]:.1f}x ({hf1[0]:.0f} tokens/s: {hf1_name})",
            "(reported)", None)

    name, row = find(engine, r"^decode batch 64, context 16384, CUDA graph")
    if row and row[0] and row[3]:
        add("(d) 64 sequences at 16k context (CUDA graph)", f"{row[0]:.0f} tokens/s = {row[3]:.0f}% of the bound "
            f"({row[1]:.0f} GB/s read)", "(reported)", None)
    else:
        add("(d) 64 sequences at 16k context", "not measured", "(reported)", None)

    for name, values in engine.items():
        if name.endswith(", CUDA graph"):
            eager = engine.get(name[: -len(", CUDA graph")] + ", eager")
            if values[0] and eager and eager[0]:
                add(f"graphs vs eager: {name[: -len(', CUDA graph')]}", f"{values[0] / eager[0]:.2f}x", "(reported)",
                    None)
    plain = table_rows(args.plain_launch) if args.plain_launch else {}
    for name, values in plain.items():
        dependent = engine.get(name)
        if values[0] and dependent and dependent[0]:
            add(f"dependent vs ordinary launches: {name}",
                f"{dependent[0]:.0f} vs {values[0]:.0f} tokens/s = {dependent[0] / values[0]:.2f}x", "(reported)", None)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
