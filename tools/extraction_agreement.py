#!/usr/bin/env python3
"""Grades the hand-labelled R1-style extraction cases (tools/extraction_cases.py), or with --cases other_styles
the answer styles of other models (tools/other_styles_cases.py), with `r1eval judge math`, and with Math-Verify
configured as lighteval's MATH-500/AIME metric when it is importable, and prints how often each agrees with the
label, then every case r1eval gets wrong.

usage: python3 tools/extraction_agreement.py [--r1eval build/r1eval] [--no-math-verify] [--cases r1|other_styles]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def math_verify_grader():
    try:
        from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
    except ImportError:
        return None
    gold_config = [LatexExtractionConfig()]
    prediction_config = [ExprExtractionConfig(), LatexExtractionConfig(boxed_match_priority=0)]

    def grade(gold, response):
        answer_text = response.rsplit("</think>", 1)[-1]  # what lighteval's reasoning-tag removal leaves
        try:
            g = parse(f"${gold}$", extraction_config=gold_config, fallback_mode="first_match", extraction_mode="first_match")
            p = parse(answer_text, extraction_config=prediction_config, fallback_mode="first_match",
                      extraction_mode="first_match")
            return bool(verify(g, p, float_rounding=5))
        except Exception:  # lighteval counts a failure as incorrect
            return False

    return grade


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--r1eval", default=os.path.join(HERE, "..", "build", "r1eval"))
    ap.add_argument("--no-math-verify", action="store_true")
    ap.add_argument("--cases", choices=["r1", "other_styles"], default="r1")
    args = ap.parse_args()
    script = "extraction_cases.py" if args.cases == "r1" else "other_styles_cases.py"
    generated = subprocess.run([sys.executable, os.path.join(HERE, script)], capture_output=True,
                               check=True, text=True).stdout
    cases = [json.loads(line) for line in generated.splitlines() if line.strip()]
    payload = "".join(json.dumps({"gold": c["gold"], "response": c["response"]}) + "\n" for c in cases)
    out = subprocess.run([args.r1eval, "judge", "math"], input=payload, capture_output=True, check=True,
                         text=True).stdout.splitlines()
    ours = [json.loads(line) for line in out]
    assert len(ours) == len(cases), "r1eval answered another number of lines than it was given"
    mv = None if args.no_math_verify else math_verify_grader()
    labelled = [(c, o) for c, o in zip(cases, ours) if c.get("expected") is not None]
    r1_right = sum(o["correct"] == c["expected"] for c, o in labelled)
    print(f"{len(cases)} cases, {len(labelled)} with a label")
    print(f"r1eval agrees with the label on {r1_right} ({100 * r1_right / len(labelled):.1f}%)")
    if mv:
        mv_right = sum(mv(c["gold"], c["response"]) == c["expected"] for c, _ in labelled)
        print(f"Math-Verify (lighteval's configuration) agrees on {mv_right} ({100 * mv_right / len(labelled):.1f}%)")
    else:
        print("Math-Verify not installed (pip install 'math-verify[antlr4_13_2]'): its column is skipped")
    print("\ncases r1eval gets wrong (id, gold, label, r1eval's answer, reason):")
    for c, o in labelled:
        if o["correct"] != c["expected"]:
            print(f"  {c['id']}\t{c['gold']!r}\t{c['expected']}\t{o['extracted']!r}\t{o['reason']}")


if __name__ == "__main__":
    main()
