#!/usr/bin/env python3
"""Compare `r1eval tokenize` with Hugging Face `tokenizers` on real SentencePiece-style vocabularies: Mistral 7B
v0.1's (32,000 pieces, the Llama 2 layout) and v0.3's (32,768, with control tokens), as the `mistral-common`
package on PyPI ships their tokenizer.model files. Each is converted to tokenizer.json the way transformers'
LlamaConverter wrote the checkpoints' files (v0.1: the legacy Prepend + Replace normalizer; v0.3: Metaspace with
prepend_scheme "first"), then every document of the tokenizer corpus is encoded by both (with BOS) and decoded.

  $VENV/bin/pip install sentencepiece protobuf tokenizers transformers
  $VENV/bin/pip download mistral-common --no-deps -d $WORK && unzip -o $WORK/mistral_common-*.whl -d $WORK
  $VENV/bin/python tools/check_sentencepiece_tokenizers.py --r1eval build/r1eval \
      --models $WORK/mistral_common/data --shared-data ../shared/data
Prints one line per vocabulary: documents, tokens, id mismatches, decode mismatches. Exit code 1 on any mismatch.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer
from transformers.convert_slow_tokenizer import SentencePieceExtractor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenizer_corpus"))
import corpus  # noqa: E402

MARK = "\u2581"
DECODER = {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": MARK}, "content": " "},
                                            {"type": "ByteFallback"}, {"type": "Fuse"},
                                            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
VOCABULARIES = {
    "tokenizer.model.v1": ({"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": MARK},
                                                                {"type": "Replace", "pattern": {"String": " "}, "content": MARK}]},
                           None),
    "mistral_instruct_tokenizer_240323.model.v3": (
        None, {"type": "Metaspace", "replacement": MARK, "prepend_scheme": "first", "split": False}),
}


def tokenizer_json(model_file, normalizer, pre_tokenizer):
    extracted = SentencePieceExtractor(model_file).extract(None)
    vocab = extracted["vocab"]
    specials = ["<unk>", "<s>", "</s>"] + [t.content for t in extracted["additional_special_tokens"]
                                          if t.content not in ("<unk>", "<s>", "</s>")]
    added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in specials]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": normalizer, "pre_tokenizer": pre_tokenizer,
            "post_processor": {"type": "TemplateProcessing",
                               "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                               "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                        {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                               "special_tokens": {"<s>": {"id": "<s>", "ids": [vocab["<s>"]], "tokens": ["<s>"]}}},
            "decoder": DECODER,
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": vocab, "merges": [list(m) for m in extracted["merges"]]}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--r1eval", required=True)
    ap.add_argument("--models", required=True, help="folder holding mistral-common's tokenizer.model files")
    ap.add_argument("--shared-data", required=True)
    args = ap.parse_args()
    docs = corpus.documents(args.shared_data)
    failed = False
    for name, (normalizer, pre) in VOCABULARIES.items():
        with tempfile.TemporaryDirectory() as folder:
            spec = tokenizer_json(os.path.join(args.models, name), normalizer, pre)
            with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
                json.dump(spec, f, ensure_ascii=False)
            hf = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
            id_mismatches = decode_mismatches = tokens = 0
            for key, text in docs:
                expected = hf.encode(text).ids
                got = json.loads(subprocess.run([args.r1eval, "tokenize", "--model", folder], input=text.encode(),
                                                capture_output=True, check=True).stdout)
                tokens += len(expected)
                if got != expected:
                    id_mismatches += 1
                    if id_mismatches <= 3:
                        print(f"  {name} {key}: ids differ", file=sys.stderr)
            # Decoding: the R1-style texts through HF's ids, by both.
            for key, text in docs[::25]:
                ids = hf.encode(text).ids
                probe = subprocess.run([args.r1eval, "tokenize", "--decode", "--no-special", "--model", folder],
                                       input=json.dumps(ids).encode(), capture_output=True, check=True)
                if probe.stdout.decode() != hf.decode(ids, skip_special_tokens=True):
                    decode_mismatches += 1
            print(f"{name}: vocabulary {hf.get_vocab_size()}, {len(docs)} documents, {tokens} tokens, "
                  f"{id_mismatches} id mismatches, {decode_mismatches} decode mismatches")
            failed |= id_mismatches > 0 or decode_mismatches > 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
