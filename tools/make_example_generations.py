#!/usr/bin/env python3
"""Writes a small example generations file for `r1eval grade` (the README's main job).

Reads the per-sample prompts that `r1eval prompts` prints (JSONL on stdin) and writes, for each, the response
of a simulated model in the R1 form (<think> ... </think> then a boxed answer). The simulated model is right
with a probability that falls with the MATH level, and when wrong it boxes a different answer, boxes nothing,
or runs out of tokens. Deterministic for a given --seed. Nothing here is copied from real model outputs.
"""
import argparse
import hashlib
import json
import random
import sys

ACCURACY_BY_LEVEL = {"1": 0.97, "2": 0.94, "3": 0.9, "4": 0.85, "5": 0.72}


def wrong_answer(gold: str, rng: random.Random) -> str:
    try:
        return str(int(gold) + rng.choice([-2, -1, 1, 3]))
    except ValueError:
        return rng.choice(["0", "1", "-1", "\\frac{1}{3}", "2\\sqrt{2}", "\\text{none}"])


def response_for(line: dict, rng: random.Random) -> dict:
    level = line.get("attributes", {}).get("level", "3")
    thinking = " ".join(rng.choice(["Let me", "compute", "the", "value", "carefully,", "check", "again."])
                        for _ in range(rng.randint(40, 400)))
    if rng.random() < ACCURACY_BY_LEVEL.get(level, 0.85):
        final = f"The answer is $\\boxed{{{line['gold']}}}$."
        finish = "stop"
    else:
        kind = rng.random()
        if kind < 0.7:
            final = f"So the answer is $\\boxed{{{wrong_answer(line['gold'], rng)}}}$."
            finish = "stop"
        elif kind < 0.85:
            final = "I could not finish the computation."
            finish = "stop"
        else:
            return {"problem_id": line["problem_id"], "sample_index": line["sample_index"],
                    "response": "<think>\n" + thinking, "finish_reason": "length"}
    return {"problem_id": line["problem_id"], "sample_index": line["sample_index"],
            "response": f"<think>\n{thinking}\n</think>\n\n{final}", "finish_reason": finish}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for text in sys.stdin:
        line = json.loads(text)
        key = f"{args.seed}/{line['problem_id']}/{line['sample_index']}".encode()
        rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "little"))
        sys.stdout.write(json.dumps(response_for(line, rng), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
