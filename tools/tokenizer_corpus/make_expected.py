#!/usr/bin/env python3
"""Encode the tokenizer corpus with Hugging Face `tokenizers` and write expected.tsv, the fixture the
C++ corpus test compares against: one line per document, `key<TAB>qwen count<TAB>qwen fnv<TAB>llama
count<TAB>llama fnv` (ids encoded without special tokens; fnv as in corpus.fnv1a64, hex).
With --codepoints, the same for corpus.codepoint_documents() (every code point) into codepoints.tsv.

  /tmp/tokvenv/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers /tmp/tok \
      --shared-data ../shared/data > tools/tokenizer_corpus/expected.tsv
  /tmp/tokvenv/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers /tmp/tok \
      --codepoints > tools/tokenizer_corpus/codepoints.tsv
where /tmp/tok was written by tools/make_tokenizer_json.py.
"""
import argparse
import os
import sys

from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

FAMILIES = ["DeepSeek-R1-Distill-Qwen", "DeepSeek-R1-Distill-Llama"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizers", required=True)
    ap.add_argument("--shared-data")
    ap.add_argument("--codepoints", action="store_true")
    args = ap.parse_args()
    toks = [Tokenizer.from_file(os.path.join(args.tokenizers, f, "tokenizer.json")) for f in FAMILIES]
    docs = corpus.codepoint_documents() if args.codepoints else corpus.documents(args.shared_data)
    totals = [0, 0]
    for key, text in docs:
        fields = [key]
        for k, tok in enumerate(toks):
            ids = tok.encode(text, add_special_tokens=False).ids
            totals[k] += len(ids)
            fields += [str(len(ids)), format(corpus.fnv1a64(ids), "016x")]
        print("\t".join(fields))
    print(f"{len(docs)} documents, {sum(len(t) for _, t in docs)} characters; tokens: "
          + ", ".join(f"{f} {n}" for f, n in zip(FAMILIES, totals)), file=sys.stderr)


if __name__ == "__main__":
    main()
