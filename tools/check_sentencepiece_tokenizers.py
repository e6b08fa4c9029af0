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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokenizer_corpus"))
import corpus  # noqa: E402
import make_sentencepiece_tokenizer  # noqa: E402

# The pipelines of the checkpoints' own files: v0.1 the legacy Prepend + Replace normalizer, v0.3 Metaspace "first".
VOCABULARIES = {
    "tokenizer.model.v1": make_sentencepiece_tokenizer.PIPELINES["legacy"],
    "mistral_instruct_tokenizer_240323.model.v3": make_sentencepiece_tokenizer.PIPELINES["metaspace_first"],
}


def tokenizer_json(model_file, pipeline):
    extracted = SentencePieceExtractor(model_file).extract(None)
    specials = ["<unk>", "<s>", "</s>"] + [t.content for t in extracted["additional_special_tokens"]
                                          if t.content not in ("<unk>", "<s>", "</s>")]
    return make_sentencepiece_tokenizer.tokenizer_json_from_spm(model_file, specials, pipeline)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--r1eval", required=True)
    ap.add_argument("--models", required=True, help="folder holding mistral-common's tokenizer.model files")
    ap.add_argument("--shared-data", required=True)
    args = ap.parse_args()
    docs = corpus.documents(args.shared_data)
    failed = False
    for name, pipeline in VOCABULARIES.items():
        with tempfile.TemporaryDirectory() as folder:
            spec = tokenizer_json(os.path.join(args.models, name), pipeline)
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
