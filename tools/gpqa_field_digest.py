#!/usr/bin/env python3
"""Digest of every GPQA field r1eval reads, computed with Python's csv module.

tests/tasks/real_data_test.cpp pins this value to check r1eval's CSV parser and in-memory zip
reader on the real file without ever showing its text (the GPQA authors ask that questions not be
published in plain text). Prints the row count and fnv1a64 of id, question, correct answer, the
three incorrect answers and the domain, joined by \\x1f, each row ended by \\x1e.

usage: gpqa_field_digest.py [PATH_TO_gpqa_diamond.zip]   (default: ../shared/data/gpqa/gpqa_diamond.zip)
Password: $R1EVAL_GPQA_ZIP_PASSWORD, else the public upstream one.
"""
import csv
import io
import os
import pathlib
import sys
import zipfile

from choice_permutation import fnv1a64

COLUMNS = ["Record ID", "Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2",
           "Incorrect Answer 3", "High-level domain"]


def main() -> None:
    default = pathlib.Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "gpqa" / "gpqa_diamond.zip"
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default
    password = os.environ.get("R1EVAL_GPQA_ZIP_PASSWORD", "deserted-untie-orchid").encode()
    with zipfile.ZipFile(path) as archive:
        text = archive.read("gpqa_diamond.csv", pwd=password).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    joined = "".join("\x1f".join(row[c] for c in COLUMNS) + "\x1e" for row in rows)
    print(len(rows), hex(fnv1a64(joined.encode("utf-8"))))


if __name__ == "__main__":
    main()
