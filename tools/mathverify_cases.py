#!/usr/bin/env python3
"""Math-Verify's own test cases, graded by r1eval and by Math-Verify, against Math-Verify's expectations.

The cases are read (not imported) from the tests/ folder of the math-verify sdist: every
@pytest.mark.parametrize list whose rows are (gold, pred, expected[, precision | strict |
allow_set_relation_comp]) literals. r1eval grades `pred` as the response against `gold` through the
JSONL judge protocol (a gold holding \\boxed{} is reduced to its last box by the grader itself);
Math-Verify grades with the parameters of the test row.

usage (in a venv with math-verify installed, see the report):
  python tools/mathverify_cases.py --tests DIR/math_verify-X/tests [--judge BUILD/bench/graders_agreement_bench]
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def literal_rows(tests_dir):
    """(file, function, gold, pred, expected, extra-kwargs) for every literal parametrize row."""
    rows = []
    for name in sorted(os.listdir(tests_dir)):
        if not name.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(tests_dir, name)).read())
        for fn in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
            match_types = ["latex", "expr"]
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "compare_strings":
                    for kw in call.keywords:
                        if kw.arg == "match_types":
                            match_types = ast.literal_eval(kw.value)
            for dec in fn.decorator_list:
                if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                    continue
                names = [s.strip() for s in ast.literal_eval(dec.args[0]).split(",")]
                if names[:2] != ["gold", "pred"]:
                    continue
                try:
                    values = ast.literal_eval(dec.args[1])
                except ValueError:
                    continue  # rows built at run time (f-strings): skipped, counted below
                for v in values:
                    d = dict(zip(names, v))
                    expected = d.pop("expected", d.pop("result", None))
                    gold, pred = d.pop("gold"), d.pop("pred")
                    rows.append({"file": name, "test": fn.name, "gold": gold, "pred": pred,
                                 "expected": bool(expected), "kwargs": d, "match_types": match_types})
    return rows


def mathverify_verdicts(rows):
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
    out, seconds = [], []
    for r in rows:
        targets = [LatexExtractionConfig(boxed_match_priority=0) if t == "latex" else ExprExtractionConfig()
                   for t in r["match_types"]]
        kw = r["kwargs"]
        start = time.perf_counter()
        try:
            g = parse(r["gold"], targets)
            p = parse(r["pred"], targets)
            ok = verify(g, p, float_rounding=kw.get("precision", 6), strict=kw.get("strict", True),
                        allow_set_relation_comp=kw.get("allow_set_relation_comp", False))
        except Exception:  # noqa: BLE001 - a crash counts as "not equal", as in its own metric
            ok = False
        seconds.append(time.perf_counter() - start)
        out.append(bool(ok))
    return out, seconds


def r1eval_verdicts(binary, rows):
    payload = "".join(json.dumps({"gold": r["gold"], "response": r["pred"]}) + "\n" for r in rows)
    res = subprocess.run([binary, "math"], input=payload.encode(), capture_output=True, check=True)
    return [json.loads(l) for l in res.stdout.decode().splitlines()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", required=True, help="tests/ folder of the math-verify sdist")
    ap.add_argument("--judge", default=os.path.join(ROOT, "build", "bench", "graders_agreement_bench"))
    ap.add_argument("--no-mathverify", action="store_true", help="only run r1eval")
    args = ap.parse_args()

    rows = literal_rows(args.tests)
    ours = r1eval_verdicts(args.judge, rows)
    agree = sum(o["correct"] == r["expected"] for o, r in zip(ours, rows))
    print(f"{len(rows)} Math-Verify test cases (literal parametrize rows)")
    print(f"r1eval agrees with the expected verdict on {agree} ({100*agree/len(rows):.1f}%)")
    if not args.no_mathverify:
        mv, secs = mathverify_verdicts(rows)
        mv_agree = sum(m == r["expected"] for m, r in zip(mv, rows))
        print(f"Math-Verify {__import__('math_verify').__name__} agrees with its own expected verdict on "
              f"{mv_agree} ({100*mv_agree/len(rows):.1f}%); mean {1000*sum(secs)/len(secs):.1f} ms per case")
        both = sum(o["correct"] == m for o, m in zip(ours, mv))
        print(f"r1eval and Math-Verify give the same verdict on {both} ({100*both/len(rows):.1f}%)")
    print("\nr1eval misses (expected verdict not reached):")
    for o, r in zip(ours, rows):
        if o["correct"] != r["expected"]:
            g = r["gold"].replace("\n", " ")
            p = r["pred"].replace("\n", " ")
            print(f"- {r['file']}::{r['test']} expected={int(r['expected'])} got={int(o['correct'])} "
                  f"extracted={o['extracted']!r} reason={o['reason']!r}\n    gold: {g[:150]!r}\n    pred: {p[:150]!r}")


if __name__ == "__main__":
    sys.exit(main())
