#!/usr/bin/env python3
"""Independent reference for r1eval's multiple-choice shuffle (tasks/choice_shuffle.h).

Prints the permutation for (run seed, problem id, sample index), so the known-answer values in
tests/tasks/choice_shuffle_test.cpp can be re-derived, and so other tools can reproduce the
option order of any r1eval GPQA prompt.

usage: choice_permutation.py RUN_SEED PROBLEM_ID SAMPLE_INDEX [N]
"""
import sys

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(x: int) -> int:
    x &= MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def permutation(n: int, run_seed: int, problem_id: str, sample_index: int) -> list[int]:
    sample_key = mix((sample_index + GOLDEN) & MASK)
    state = mix(run_seed ^ mix(fnv1a64(problem_id.encode("utf-8")) ^ sample_key))

    def draw() -> int:
        nonlocal state
        state = (state + GOLDEN) & MASK
        return mix(state)

    order = list(range(n))
    for i in range(n - 1, 0, -1):
        bound = i + 1
        limit = (MASK // bound) * bound
        d = draw()
        while d >= limit:
            d = draw()
        j = d % bound
        order[i], order[j] = order[j], order[i]
    return order


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    n = int(sys.argv[4]) if len(sys.argv) == 5 else 4
    print(" ".join(map(str, permutation(n, int(sys.argv[1], 0), sys.argv[2], int(sys.argv[3])))))
