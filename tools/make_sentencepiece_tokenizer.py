#!/usr/bin/env python3
"""A small SentencePiece-style BPE tokenizer (the kind Llama 2, Mistral 7B v0.1-v0.3, Mathstral and Gemma ship:
pieces spelled with "▁" for a space, byte fallback to <0xXX> tokens) and the ids Hugging Face `tokenizers`
gives for the tokenizer corpus through each pipeline those checkpoints' tokenizer.json files use.

It trains a BPE model with `sentencepiece` on tools/tokenizer_corpus/mixed.jsonl (vocabulary 5,000, byte
fallback, digits split, whitespace kept, as Llama 2's and Mistral's models were trained), converts it with
transformers' SentencePieceExtractor (the conversion that wrote those tokenizer.json files) and writes

  tests/fixtures/tokenizer/sentencepiece_bpe/tokenizer.json   the Llama 2 / Mistral v0.1 pipeline
  tests/fixtures/tokenizer/sentencepiece_bpe/tokenizer_config.json
  tools/tokenizer_corpus/expected_sentencepiece.tsv            corpus documents
  tools/tokenizer_corpus/codepoints_sentencepiece.tsv          every code point
  tools/tokenizer_corpus/sentencepiece_cases.json              chat-shaped strings around added tokens

For each document and each pipeline (PIPELINES below: its order is the column order) the TSV holds the id count
and FNV hash (corpus.fnv1a64) of `encode(text, add_special_tokens=False)`, then the byte length and FNV-1a 64 of
the UTF-8 of `decode(ids)`. sentencepiece_cases.json carries the pipelines themselves, which the C++ test
(tests/engine/tokenizer_sentencepiece_test.cpp) puts into the fixture, encodings with special tokens around
added tokens, decodings of byte runs that are not UTF-8, and (flag_cases) added tokens that are normalized or
single_word under four pipelines.

  python3 -m venv $VENV && $VENV/bin/pip install sentencepiece protobuf tokenizers transformers
  $VENV/bin/python tools/make_sentencepiece_tokenizer.py --shared-data ../shared/data

Training is deterministic for a given sentencepiece version (single thread, no sampling).
"""
import argparse
import copy
import json
import os
import sys
import tempfile

import sentencepiece as spm
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "tokenizer_corpus"))
import corpus  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "tokenizer", "sentencepiece_bpe")
CORPUS_DIR = os.path.join(HERE, "tokenizer_corpus")

REPLACE_DECODERS = [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
                    {"type": "Fuse"}]
STRIP = {"type": "Strip", "content": " ", "start": 1, "stop": 0}
SPACE_TO_MARK = {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}

# name -> (normalizer, pre_tokenizer, decoder), as real tokenizer.json files spell them.
PIPELINES = {
    # Llama 2, Mistral 7B v0.1 / v0.2, Mathstral, Llama-2 fine-tunes: every chunk between added tokens gets "▁".
    "legacy": ({"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, SPACE_TO_MARK]}, None,
               {"type": "Sequence", "decoders": REPLACE_DECODERS + [STRIP]}),
    # Mistral 7B v0.3 and conversions with legacy=false: "▁" only at the start of the text.
    "metaspace_first": (None, {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False},
                        {"type": "Sequence", "decoders": REPLACE_DECODERS + [STRIP]}),
    # Gemma: spaces become "▁", nothing is prepended, nothing stripped.
    "no_prefix": (SPACE_TO_MARK, None, {"type": "Sequence", "decoders": REPLACE_DECODERS}),
    # Older files: Metaspace with add_prefix_space (prepend always, split at "▁") and the Metaspace decoder.
    "metaspace_split": (None, {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True},
                        {"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": True}),
}

CHAT_STRINGS = [
    "<s>[INST] What is 2 + 3? [/INST] 5</s>",
    "<s>[INST]What is 2 + 3?[/INST]5</s>[INST] Why? [/INST]",
    "[INST]  two spaces[/INST]\n\nnew lines</s>",
    "Hello<s>world</s> again",
    "",
    " ",
    "  leading spaces",
    "\u2581already marked",
    "tab\there \u00e9\u00e8 \u4e2d\u6587 \U0001F600 \u2581\u2581x",
]


# Token sequences (by their vocabulary spelling) decoded only: byte runs that are not UTF-8, marks at the start.
DECODE_ONLY = [
    ["<0xE2>", "<0x82>", "\u2581x"],
    ["<0x41>", "<0xE2>", "<0x82>", "<0xAC>", "<0x80>", "x"],
    ["<0xE2>", "<0x82>", "<0xAC>", "\u2581x", "<0xC3>"],
    ["\u2581", "\u2581x", "\u2581\u2581"],
    ["\u2581\u2581", "x"],
    ["<s>", "\u2581x", "</s>", "\u2581y"],
    ["<0x20>", "<0x20>", "x"],
    ["<0xE2>", "<0x96>", "<0x81>", "x"],
]


# Added tokens whose flags change matching: normalized ones are matched after the normalizer, in their own
# normalized form (and decode to it); single_word ones only between non-word characters (Rust regex's \w).
EXTRA_TOKENS = [{"id": 5000, "content": "<tab>", "normalized": True, "special": False},
                {"id": 5001, "content": "x y", "normalized": True, "special": False},
                {"id": 5002, "content": "A\u030a", "normalized": True, "special": False},
                {"id": 5003, "content": "<sw>", "normalized": False, "special": True, "single_word": True}]
FLAG_PIPELINES = {
    "legacy": PIPELINES["legacy"],
    "no_prefix": PIPELINES["no_prefix"],
    "metaspace_first": PIPELINES["metaspace_first"],
    "legacy_nfc": ({"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Prepend", "prepend": "\u2581"},
                                                        SPACE_TO_MARK]}, None, PIPELINES["legacy"][2]),
}
FLAG_TEXTS = ["[INST]", "hi [INST]", "hi<tab>", "a <tab> <tab>", "<tab><tab>", "x y and xy", "\u00c5 and A\u030a",
              "x\u00b2<sw>", "e\u0301<sw>", "a_<sw> b <sw>", "\u200d<sw>", "\u00bd<sw>", "\u203f<sw>", "<sw>x"]


def with_flags(base, pipeline):
    """The fixture with [INST] normalized, EXTRA_TOKENS added and `pipeline` (normalizer, pre_tokenizer, decoder)."""
    j = copy.deepcopy(base)
    for t in j["added_tokens"]:
        if t["content"] == "[INST]":
            t["normalized"] = True
    for t in EXTRA_TOKENS:
        j["added_tokens"].append({"single_word": False, "lstrip": False, "rstrip": False, **t})
    j["normalizer"], j["pre_tokenizer"], j["decoder"] = copy.deepcopy(pipeline)
    return j


def flag_cases(base):
    cases = []
    for name, pipeline in FLAG_PIPELINES.items():
        tok = Tokenizer.from_str(json.dumps(with_flags(base, pipeline)))
        for text in FLAG_TEXTS:
            ids = tok.encode(text, add_special_tokens=False).ids
            cases.append({"pipeline": name, "text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
        for ids in ([5000, 5000], [2623, 5000], [5002], [5001, 5001]):
            cases.append({"pipeline": name, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
    return cases


def train(work):
    lines = []
    with open(os.path.join(CORPUS_DIR, "mixed.jsonl"), encoding="utf-8") as f:
        for line in f:
            lines.extend(t for t in json.loads(line).split("\n") if t.strip())
    prefix = os.path.join(work, "sp")
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=prefix, model_type="bpe", vocab_size=5000,
        byte_fallback=True, split_digits=True, allow_whitespace_only_pieces=True, remove_extra_whitespaces=False,
        normalization_rule_name="identity", character_coverage=0.98, num_threads=1, max_sentence_length=1 << 16,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, control_symbols=["[INST]", "[/INST]"], minloglevel=2)
    return prefix + ".model"


def tokenizer_json_from_spm(model_file, specials, pipeline):
    """tokenizer.json of a SentencePiece BPE model as transformers' LlamaConverter writes it: the pieces and the
    merges SentencePieceExtractor derives, `specials` as special added tokens, <s> before every text, byte
    fallback, `pipeline` (normalizer, pre_tokenizer, decoder). Shared with check_sentencepiece_tokenizers.py."""
    from transformers.convert_slow_tokenizer import SentencePieceExtractor
    extracted = SentencePieceExtractor(model_file).extract(None)
    vocab, merges = extracted["vocab"], [list(m) for m in extracted["merges"]]
    added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in specials]
    normalizer, pre, decoder = pipeline
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": normalizer, "pre_tokenizer": pre,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [vocab["<s>"]], "tokens": ["<s>"]}}},
        "decoder": decoder,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def base_tokenizer_json(model_file):
    return tokenizer_json_from_spm(model_file, ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"], PIPELINES["legacy"])


def with_pipeline(base, name):
    j = copy.deepcopy(base)
    j["normalizer"], j["pre_tokenizer"], j["decoder"] = copy.deepcopy(PIPELINES[name])
    return Tokenizer.from_str(json.dumps(j))


def fnv_bytes(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_tsv(path, docs, toks):
    with open(path, "w", encoding="utf-8") as out:
        for key, text in docs:
            fields = [key]
            for tok in toks:
                ids = tok.encode(text, add_special_tokens=False).ids
                decoded = tok.decode(ids, skip_special_tokens=False).encode("utf-8")
                fields += [str(len(ids)), format(corpus.fnv1a64(ids), "016x"), str(len(decoded)),
                           format(fnv_bytes(decoded), "016x")]
            out.write("\t".join(fields) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared-data", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        base = base_tokenizer_json(train(work))
    os.makedirs(FIXTURE, exist_ok=True)
    with open(os.path.join(FIXTURE, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(base, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(FIXTURE, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                   "unk_token": "<unk>", "legacy": True, "tokenizer_class": "LlamaTokenizer"}, f, indent=2)
    toks = [with_pipeline(base, name) for name in PIPELINES]
    write_tsv(os.path.join(CORPUS_DIR, "expected_sentencepiece.tsv"), corpus.documents(args.shared_data), toks)
    write_tsv(os.path.join(CORPUS_DIR, "codepoints_sentencepiece.tsv"), corpus.codepoint_documents(), toks)
    cases = []
    for text in CHAT_STRINGS:
        for name, tok in zip(PIPELINES, toks):
            ids = tok.encode(text, add_special_tokens=True).ids
            cases.append({"pipeline": name, "text": text, "ids": ids,
                          "decoded": tok.decode(ids, skip_special_tokens=False),
                          "decoded_skipping_special": tok.decode(ids, skip_special_tokens=True)})
    vocab = base["model"]["vocab"]
    for tokens in DECODE_ONLY:
        ids = [vocab[t] for t in tokens]
        for name, tok in zip(PIPELINES, toks):
            cases.append({"pipeline": name, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False),
                          "decoded_skipping_special": tok.decode(ids, skip_special_tokens=True)})
    pipelines = [{"name": name, "normalizer": n, "pre_tokenizer": p, "decoder": d} for name, (n, p, d) in PIPELINES.items()]
    flag_pipelines = [{"name": name, "normalizer": n, "pre_tokenizer": p, "decoder": d}
                      for name, (n, p, d) in FLAG_PIPELINES.items()]
    with open(os.path.join(CORPUS_DIR, "sentencepiece_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"pipelines": pipelines, "cases": cases, "extra_tokens": EXTRA_TOKENS, "flag_pipelines": flag_pipelines,
                   "flag_cases": flag_cases(base)}, f, ensure_ascii=False, indent=1)
    print(f"vocabulary {len(base['model']['vocab'])}, merges {len(base['model']['merges'])}; "
          f"{len(cases)} chat cases", file=sys.stderr)


if __name__ == "__main__":
    main()
