#!/usr/bin/env python3
"""Grades the hand-labelled GPQA answer styles (tools/choice_cases.py) with `r1eval judge choice` and with
simple-evals' own extraction (the first match of (?i)Answer\s*:\s*([A-D]) after the last </think>), and
prints how often each reads the labelled letter (none where no single answer is given), then every case
r1eval reads otherwise. A note with "debatable" marks a label the protocol does not settle.

usage: python3 tools/choice_agreement.py [--r1eval build/r1eval] [--cases r1|other_styles]
(other_styles: tools/choice_other_styles_cases.py, other models' answer formats and traps)
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SIMPLE_EVALS = re.compile(r"(?i)Answer\s*:\s*([A-D])")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--r1eval", default=os.path.join(HERE, "..", "build", "r1eval"))
    ap.add_argument("--cases", choices=["r1", "other_styles"], default="r1")
    args = ap.parse_args()
    script = "choice_cases.py" if args.cases == "r1" else "choice_other_styles_cases.py"
    made = subprocess.run([sys.executable, os.path.join(HERE, script)], capture_output=True, text=True,
                          check=True).stdout
    cases = [json.loads(line) for line in made.splitlines() if line.strip()]
    requests = "".join(json.dumps({"gold": c["gold"], "response": c["response"]}) + "\n" for c in cases)
    graded = subprocess.run([args.r1eval, "judge", "choice"], input=requests, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    results = [json.loads(line) for line in graded]
    assert len(results) == len(cases)
    ours = peer = 0
    wrong = []
    for case, result in zip(cases, results):
        expected = case["expected_letter"] or None
        got = result.get("extracted") or None
        match = SIMPLE_EVALS.search(case["response"].rsplit("</think>", 1)[-1])
        ours += got == expected
        peer += (match.group(1).upper() if match else None) == expected
        if got != expected:
            wrong.append((case["note"], expected, got, case["response"][-100:]))
    n = len(cases)
    print(f"{n} cases")
    print(f"r1eval reads the labelled letter in {ours} ({100 * ours / n:.1f}%)")
    print(f"simple-evals' regex reads it in {peer} ({100 * peer / n:.1f}%)")
    print("\ncases r1eval reads otherwise (note, label, r1eval, end of response):")
    for note, expected, got, tail in wrong:
        print(f"  {note[:60]}\t{expected}\t{got}\t{tail!r}")


if __name__ == "__main__":
    main()
