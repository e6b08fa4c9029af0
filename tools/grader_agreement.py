#!/usr/bin/env python3
"""Agreement of r1eval's math grader with the stored labels of the graded generations.

Reads ../shared/data/generations (Qwen2.5-Math eval: math_cot_100.jsonl, 8 responses per problem with
`pred` and `score`; NeMo-Skills: output-rs*.jsonl with `predicted_answer`, `expected_answer`,
`symbolic_correct`), grades every (response, gold) pair through the JSONL judge protocol
(build/bench/graders_agreement_bench math), and prints agreement figures and every disagreement.

Two views per pair: the full grade (our extraction + our comparison) and the comparison alone on the
peer's extracted answer (so extraction differences and comparison differences are told apart).

usage: tools/grader_agreement.py [--judge BUILD/bench/graders_agreement_bench] [--data DIR] [--markdown OUT]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_pairs(data_dir):
    pairs = []
    qwen = os.path.join(data_dir, "qwen2.5-math-eval_rm_maj_example", "math_cot_100.jsonl")
    with open(qwen) as f:
        for line in f:
            d = json.loads(line)
            for k, (resp, pred, score) in enumerate(zip(d["code"], d["pred"], d["score"])):
                pairs.append({"id": f"qwen:{d['idx']}:{k}", "gold": str(d["gt"]), "response": resp,
                              "peer_pred": str(pred), "label": bool(score)})
    nemo_dir = os.path.join(data_dir, "nemo-skills-tests")
    for name in sorted(os.listdir(nemo_dir)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(nemo_dir, name)) as f:
            for i, line in enumerate(f):
                d = json.loads(line)
                pred = d.get("predicted_answer")
                pairs.append({"id": f"nemo:{name}:{i}", "gold": str(d["expected_answer"]),
                              "response": d["generation"], "peer_pred": None if pred is None else str(pred),
                              "label": bool(d["symbolic_correct"])})
    return pairs


def judge(binary, rows):
    payload = "".join(json.dumps({"gold": r["gold"], "response": r["response"]}) + "\n" for r in rows)
    start = time.perf_counter()
    out = subprocess.run([binary, "math"], input=payload.encode(), capture_output=True, check=True).stdout
    elapsed = time.perf_counter() - start
    return [json.loads(l) for l in out.decode().splitlines()], elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--judge", default=os.path.join(ROOT, "build", "bench", "graders_agreement_bench"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "generations"))
    ap.add_argument("--markdown", help="also write the disagreement table to this file")
    args = ap.parse_args()

    pairs = load_pairs(args.data)
    full, seconds = judge(args.judge, pairs)
    # Comparison alone: the peer's extracted answer, boxed, against the gold.
    cmp_rows = [{"gold": p["gold"], "response": "\\boxed{" + (p["peer_pred"] or "") + "}"} for p in pairs]
    comparison, _ = judge(args.judge, cmp_rows)

    lines = []
    for source in ("qwen", "nemo"):
        idx = [i for i, p in enumerate(pairs) if p["id"].startswith(source)]
        agree = sum(full[i]["correct"] == pairs[i]["label"] for i in idx)
        agree_cmp = sum(comparison[i]["correct"] == pairs[i]["label"] for i in idx)
        ours = sum(full[i]["correct"] for i in idx)
        theirs = sum(pairs[i]["label"] for i in idx)
        lines.append(f"{source}: {len(idx)} pairs; full grade agrees on {agree} ({100*agree/len(idx):.1f}%), "
                     f"comparison on the peer's extraction agrees on {agree_cmp} ({100*agree_cmp/len(idx):.1f}%); "
                     f"correct: r1eval {ours}, label {theirs}")
    micros = sorted(r["micros"] for r in full)
    lines.append(f"grading time per pair (micros, in-process): median {micros[len(micros)//2]}, "
                 f"p99 {micros[int(len(micros)*0.99)]}, max {micros[-1]}; wall for {len(pairs)} pairs incl. "
                 f"process start: {seconds*1000:.0f} ms")
    print("\n".join(lines))

    table = ["| pair | gold | peer extracted | r1eval extracted | label | r1eval | reason |",
             "|---|---|---|---|---|---|---|"]
    def cell(s):
        s = "null" if s is None else str(s)
        s = s.replace("|", "\\|").replace("\n", " ")
        return s if len(s) <= 60 else s[:57] + "..."
    for i, p in enumerate(pairs):
        if full[i]["correct"] != p["label"]:
            table.append(f"| {p['id']} | {cell(p['gold'])} | {cell(p['peer_pred'])} | {cell(full[i]['extracted'])} | "
                         f"{p['label']} | {full[i]['correct']} | {cell(full[i]['reason'])} |")
    print(f"\n{len(table) - 2} disagreements with the labels:")
    print("\n".join(table))
    if args.markdown:
        tmp = args.markdown + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n\n" + "\n".join(table) + "\n")
        os.replace(tmp, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
