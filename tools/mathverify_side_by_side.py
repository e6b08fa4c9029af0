#!/usr/bin/env python3
"""Math-Verify and r1eval on the same (gold, response) pairs, in one run: verdicts, disagreements, time.

Input: JSONL with string fields "gold" and "response" (the `r1eval judge math` protocol), or --labelled to
use the graded generations of ../shared/data/generations. Math-Verify grades with its documented defaults
(parse(gold), parse(response), verify(gold, answer); a gold without math delimiters is wrapped in $..$
as Math-Verify's README does); r1eval through build/bench/graders_agreement_bench.

usage (in a venv with math-verify installed):
  python tools/mathverify_side_by_side.py PAIRS.jsonl
  python tools/mathverify_side_by_side.py --labelled [--limit N]
  python tools/mathverify_side_by_side.py --math500
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="?", help="JSONL with gold and response")
    ap.add_argument("--labelled", action="store_true", help="use the graded generations")
    ap.add_argument("--math500", action="store_true",
                    help="MATH-500 reference solutions against their answers (both should say correct)")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "generations"))
    ap.add_argument("--judge", default=os.path.join(ROOT, "build", "bench", "graders_agreement_bench"))
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()

    if args.labelled:
        from grader_agreement import load_pairs
        pairs = load_pairs(args.data)
    elif args.math500:
        path = os.path.join(args.data, "..", "math500", "test.jsonl")
        with open(path) as f:
            pairs = [{"id": d.get("unique_id", ""), "gold": d["answer"], "response": d["solution"]}
                     for d in map(json.loads, f)]
    else:
        with open(args.pairs) as f:
            pairs = [json.loads(l) for l in f if l.strip()]
    if args.limit:
        pairs = pairs[: args.limit]

    payload = "".join(json.dumps({"gold": p["gold"], "response": p["response"]}) + "\n" for p in pairs)
    start = time.perf_counter()
    out = subprocess.run([args.judge, "math"], input=payload.encode(), capture_output=True, check=True).stdout
    r1_wall = time.perf_counter() - start
    ours = [json.loads(l) for l in out.decode().splitlines()]
    r1_micros = sum(o["micros"] for o in ours)

    from math_verify import parse, verify
    mv, mv_seconds = [], []
    for p in pairs:
        t0 = time.perf_counter()
        try:
            # Math-Verify reads golds as LaTeX only inside math delimiters (its README wraps them in $..$).
            gold = p["gold"] if ("$" in p["gold"] or "\\boxed" in p["gold"]) else f"${p['gold']}$"
            ok = bool(verify(parse(gold), parse(p["response"])))
        except Exception:  # noqa: BLE001 - Math-Verify's own metric counts a failure as incorrect
            ok = False
        mv_seconds.append(time.perf_counter() - t0)
        mv.append(ok)

    n = len(pairs)
    same = sum(o["correct"] == m for o, m in zip(ours, mv))
    print(f"{n} pairs: same verdict on {same} ({100*same/n:.1f}%); correct: r1eval {sum(o['correct'] for o in ours)}, "
          f"Math-Verify {sum(mv)}")
    if "label" in pairs[0]:
        lab_r1 = sum(o["correct"] == p["label"] for o, p in zip(ours, pairs))
        lab_mv = sum(m == p["label"] for m, p in zip(mv, pairs))
        print(f"agreement with the stored labels: r1eval {lab_r1} ({100*lab_r1/n:.1f}%), Math-Verify {lab_mv} ({100*lab_mv/n:.1f}%)")
    mv_sorted = sorted(mv_seconds)
    r1_sorted = sorted(o["micros"] for o in ours)
    print(f"time per pair: Math-Verify mean {1000*sum(mv_seconds)/n:.2f} ms, median {1000*mv_sorted[n//2]:.2f} ms, "
          f"max {1000*mv_sorted[-1]:.1f} ms; r1eval mean {r1_micros/n:.2f} us, median {r1_sorted[n//2]} us, "
          f"max {r1_sorted[-1]} us (in-process; whole subprocess incl. start {1000*r1_wall:.0f} ms)")
    print(f"ratio of mean time per pair (Math-Verify / r1eval): {sum(mv_seconds)/max(r1_micros*1e-6, 1e-9):.0f}x")
    print("\ndisagreements:")
    for p, o, m in zip(pairs, ours, mv):
        if o["correct"] != m:
            tag = f" label={p['label']}" if "label" in p else ""
            print(f"- {p.get('id', '')} gold={p['gold'][:60]!r} r1eval={o['correct']} ({o['reason']}, "
                  f"extracted={str(o['extracted'])[:60]!r}) math-verify={m}{tag}")


if __name__ == "__main__":
    sys.exit(main())
