#!/usr/bin/env python3
"""Encode the tokenizer corpus with Hugging Face `tokenizers` and write expected.tsv, the fixture the
C++ corpus test compares against: one line per document, `key<TAB>qwen count<TAB>qwen fnv<TAB>llama
count<TAB>llama fnv` (ids encoded without special tokens; fnv as in corpus.fnv1a64, hex).
With --codepoints, the same for corpus.codepoint_documents() (every code point) into codepoints.tsv.
With --byte-level-regex, the corpus through a variant of the Qwen file whose pre-tokenizer is ByteLevel
alone with its GPT-2 regex (no Split, no normalizer): `key<TAB>count<TAB>fnv` into expected_gpt2.tsv.
With --deepseek-v3, the corpus (or, with --codepoints, every code point) through a variant of the Llama
file whose pre-tokenizer is DeepSeek-V3's (and R1's, and R1-0528-Qwen3-8B's): three Isolated Splits (digit
groups of three, CJK and kana runs, then letters / punctuation / spaces) and ByteLevel without its regex.
That vocabulary is not shipped here; the Llama-3 ranks stand in, the split being what is compared.

  $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
      --shared-data ../shared/data > tools/tokenizer_corpus/expected.tsv
  $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
      --codepoints > tools/tokenizer_corpus/codepoints.tsv
  $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
      --shared-data ../shared/data --byte-level-regex > tools/tokenizer_corpus/expected_gpt2.tsv
  $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
      --shared-data ../shared/data --deepseek-v3 > tools/tokenizer_corpus/expected_deepseek_v3.tsv
  $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
      --codepoints --deepseek-v3 > tools/tokenizer_corpus/codepoints_deepseek_v3.tsv
  for p in o200k tekken; do
    $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
        --shared-data ../shared/data --split-regex $p > tools/tokenizer_corpus/expected_$p.tsv
    $VENV/bin/python tools/tokenizer_corpus/make_expected.py --tokenizers $TOKDIR \
        --codepoints --split-regex $p > tools/tokenizer_corpus/codepoints_$p.tsv
  done
where $TOKDIR was written by tools/make_tokenizer_json.py.
"""
import argparse
import json
import os
import sys

from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

FAMILIES = ["DeepSeek-R1-Distill-Qwen", "DeepSeek-R1-Distill-Llama"]

# DeepSeek-V3's pre_tokenizer as its tokenizer.json has it (and llama.cpp's deepseek-v3 pre-type).
DEEPSEEK_V3_PRE_TOKENIZER = {
    "type": "Sequence",
    "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": r"\p{N}{1,3}"}, "behavior": "Isolated", "invert": False},
        {"type": "Split", "pattern": {"Regex": "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"}, "behavior": "Isolated",
         "invert": False},
        {"type": "Split",
         "pattern": {"Regex": r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+"""
                              r"""| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""},
         "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
    ],
}


# The Split regexes of GPT-4o's o200k (gpt-oss, Phi-4-mini) and of Mistral's tekken (Mistral-Nemo, Mistral-Small-3,
# Magistral) as their tokenizer.json files have them, each before a regex-less ByteLevel.
CASED_WORDS = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+{s}" \
              r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*{s}"
SPLIT_REGEXES = {
    "o200k": CASED_WORDS.replace("{s}", r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?")
             + r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "tekken": CASED_WORDS.replace("{s}", "") + r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizers", required=True)
    ap.add_argument("--shared-data")
    ap.add_argument("--codepoints", action="store_true")
    ap.add_argument("--byte-level-regex", action="store_true")
    ap.add_argument("--deepseek-v3", action="store_true")
    ap.add_argument("--split-regex", choices=sorted(SPLIT_REGEXES),
                    help="the Llama file with this pattern's Split + regex-less ByteLevel as its pre-tokenizer")
    args = ap.parse_args()
    toks = [Tokenizer.from_file(os.path.join(args.tokenizers, f, "tokenizer.json")) for f in FAMILIES]
    if args.byte_level_regex:
        with open(os.path.join(args.tokenizers, FAMILIES[0], "tokenizer.json"), encoding="utf-8") as f:
            variant = json.load(f)
        variant["normalizer"] = None
        variant["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        toks = [Tokenizer.from_str(json.dumps(variant))]
    if args.deepseek_v3:
        with open(os.path.join(args.tokenizers, FAMILIES[1], "tokenizer.json"), encoding="utf-8") as f:
            variant = json.load(f)
        variant["normalizer"] = None
        variant["pre_tokenizer"] = DEEPSEEK_V3_PRE_TOKENIZER
        toks = [Tokenizer.from_str(json.dumps(variant))]
    if args.split_regex:
        with open(os.path.join(args.tokenizers, FAMILIES[1], "tokenizer.json"), encoding="utf-8") as f:
            variant = json.load(f)
        variant["normalizer"] = None
        variant["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": SPLIT_REGEXES[args.split_regex]}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}
        toks = [Tokenizer.from_str(json.dumps(variant))]
    docs = corpus.codepoint_documents() if args.codepoints else corpus.documents(args.shared_data)
    totals = [0] * len(toks)
    for key, text in docs:
        fields = [key]
        for k, tok in enumerate(toks):
            ids = tok.encode(text, add_special_tokens=False).ids
            totals[k] += len(ids)
            fields += [str(len(ids)), format(corpus.fnv1a64(ids), "016x")]
        print("\t".join(fields))
    print(f"{len(docs)} documents, {sum(len(t) for _, t in docs)} characters; tokens: "
          + ", ".join(f"{f} {n}" for f, n in zip(FAMILIES, totals)) + ("(GPT-2 regex variant)" if args.byte_level_regex else "")
          + ("(DeepSeek-V3 pre-tokenizer variant)" if args.deepseek_v3 else ""),
          file=sys.stderr)


if __name__ == "__main__":
    main()
