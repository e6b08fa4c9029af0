"""The tokenizer comparison corpus: mixed.jsonl (project-written) followed by the benchmark problems
from shared/data. The C++ test (tests/engine/tokenizer_corpus_test.cpp) and the benchmark
(bench/tokenizer_bench.cpp) read the documents in this same order."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# (source file relative to shared/data, fields taken from each record, in order)
BENCHMARK_SOURCES = [("aime24/test.jsonl", ["problem", "solution"]),
                     ("aime25/test.jsonl", ["problem"]),
                     ("math500/test.jsonl", ["problem", "solution"])]


def documents(shared_data):
    """List of (key, text)."""
    docs = []
    with open(os.path.join(HERE, "mixed.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            docs.append((f"mixed:{i}", json.loads(line)))
    for path, fields in BENCHMARK_SOURCES:
        with open(os.path.join(shared_data, path), encoding="utf-8") as f:
            for i, line in enumerate(f):
                record = json.loads(line)
                for field in fields:
                    docs.append((f"{path}:{i}:{field}", record[field]))
    return docs


def codepoint_documents(block=4096):
    """Every Unicode scalar value from U+0080 up, in blocks of `block` code points; each code point c
    appears as " " + c + "x" + c + "1 ", which splits differently for letters, numbers, whitespace and
    the rest. The C++ test builds the same documents."""
    docs = []
    for start in range(0x80, 0x110000, block):
        text = "".join(" " + chr(cp) + "x" + chr(cp) + "1 " for cp in range(start, min(start + block, 0x110000))
                       if not 0xD800 <= cp <= 0xDFFF)
        docs.append((f"U+{start:04X}", text))
    return docs


def fnv1a64(ids):
    """Hash of an id sequence: FNV-1a 64 over the ids as decimal text joined by single spaces."""
    h = 0xcbf29ce484222325
    for b in " ".join(map(str, ids)).encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h
