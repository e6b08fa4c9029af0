#!/usr/bin/env python3
"""Build tokenizer.json + tokenizer_config.json for the DeepSeek-R1 distills from the tiktoken rank
files in shared/data/models, with the Hugging Face `tokenizers` library.

The engine has the same conversion in C++ (engine/tokenizer/tokenizer_recipes.cpp) so that tests
need no Python; --compare checks that a folder written by the C++ side holds the same JSON content.

  python3 -m venv $VENV && $VENV/bin/pip install tokenizers jinja2   # VENV: e.g. build/venv
  $VENV/bin/python tools/make_tokenizer_json.py --models ../shared/data/models --out $TOKDIR \
      [--compare build/test-tmp/tokenizers]
The output is never committed (the rank files carry their own licenses).
"""
import argparse
import base64
import json
import os
import sys
import tempfile

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from byte_level import bytes_to_unicode

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
USER = "<｜User｜>"
ASSISTANT = "<｜Assistant｜>"

QWEN_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
LLAMA_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def qwen_added():
    # Ids 151643.. as listed in shared/data/models/README.md: (content, special).
    return [(EOS, True), (USER, False), (ASSISTANT, False), (BOS, True), ("<|EOT|>", False),
            ("<think>", False), ("</think>", False), ("<|quad_start|>", True), ("<|quad_end|>", True),
            ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
            ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False), ("</tool_call>", False),
            ("<|fim_prefix|>", False), ("<|fim_middle|>", False), ("<|fim_suffix|>", False),
            ("<|fim_pad|>", False), ("<|repo_name|>", False), ("<|file_sep|>", False)]


def llama_added():
    # Ids 128000..128255: Llama-3.1 special tokens with the R1 distill renames at 128000, 128001 and
    # 128011..128015 (an assumption from public copies of the model's tokenizer_config.json).
    added = [(BOS, True), (EOS, True), ("<|reserved_special_token_0|>", True), ("<|reserved_special_token_1|>", True),
             ("<|finetune_right_pad_id|>", True), ("<|reserved_special_token_2|>", True), ("<|start_header_id|>", True),
             ("<|end_header_id|>", True), ("<|eom_id|>", True), ("<|eot_id|>", True), ("<|python_tag|>", True),
             (USER, False), (ASSISTANT, False), ("<think>", False), ("</think>", False), ("<｜▁pad▁｜>", True)]
    added += [(f"<|reserved_special_token_{i - 128008}|>", True) for i in range(128016, 128256)]
    return added


RECIPES = {
    "DeepSeek-R1-Distill-Qwen": dict(ranks="DeepSeek-R1-Distill-Qwen/qwen.tiktoken",
                                     template="DeepSeek-R1-Distill-Qwen/chat_template.jinja", pattern=QWEN_PATTERN,
                                     nfc=True, ignore_merges=False, derivation="replay", added=qwen_added()),
    "DeepSeek-R1-Distill-Llama": dict(ranks="DeepSeek-R1-Distill-Llama/llama3_tokenizer.model",
                                      template="DeepSeek-R1-Distill-Llama/chat_template.jinja", pattern=LLAMA_PATTERN,
                                      nfc=False, ignore_merges=True, derivation="all_splits", added=llama_added()),
}


def load_ranks(path):
    ranks = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    tokens = sorted(ranks, key=ranks.get)
    assert [ranks[t] for t in tokens] == list(range(len(tokens))), "ranks must be 0..n-1"
    return tokens, ranks


def replay_bpe(ranks, token, max_rank):
    """Rank-ordered BPE on the token's bytes using only ranks below max_rank."""
    parts = [token[i:i + 1] for i in range(len(token))]
    while len(parts) > 1:
        best, best_rank = None, max_rank
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < best_rank:
                best, best_rank = i, r
        if best is None:
            break
        parts[best:best + 2] = [parts[best] + parts[best + 1]]
    return parts


def derive_merges(tokens, ranks, derivation):
    merges = []
    for rank, token in enumerate(tokens):
        if len(token) < 2:
            continue
        if derivation == "replay":
            parts = replay_bpe(ranks, token, rank)
            if len(parts) == 2:
                merges.append((parts[0], parts[1]))
        else:
            local = [(token[:i], token[i:]) for i in range(1, len(token)) if token[:i] in ranks and token[i:] in ranks]
            local.sort(key=lambda p: (ranks[p[0]], ranks[p[1]]))
            merges.extend(local)
    return merges


def build(recipe, models_dir):
    tokens, ranks = load_ranks(os.path.join(models_dir, recipe["ranks"]))
    b2u = bytes_to_unicode()
    text = lambda b: "".join(b2u[x] for x in b)
    vocab = {text(t): i for i, t in enumerate(tokens)}
    merges = [(text(a), text(b)) for a, b in derive_merges(tokens, ranks, recipe["derivation"])]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=recipe["ignore_merges"]))
    if recipe["nfc"]:
        tok.normalizer = normalizers.NFC()
    byte_level = dict(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(recipe["pattern"]), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(**byte_level)])
    tok.decoder = decoders.ByteLevel()
    for content, special in recipe["added"]:
        tok.add_tokens([AddedToken(content, special=special, normalized=False)])
    for i, (content, _) in enumerate(recipe["added"]):
        assert tok.token_to_id(content) == len(tokens) + i, content
    bos_id = tok.token_to_id(BOS)
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(**byte_level),
        processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)])])
    with open(os.path.join(models_dir, recipe["template"]), encoding="utf-8") as f:
        template = f.read()
    # unk_token null as the distills' own config says: transformers 5 would otherwise add its class's default
    # unknown token (Qwen2Tokenizer's <|endoftext|>) as a new special token.
    config = {"add_bos_token": True, "add_eos_token": False, "bos_token": BOS, "eos_token": EOS, "pad_token": EOS,
              "unk_token": None, "clean_up_tokenization_spaces": False, "legacy": True, "model_max_length": 16384,
              "tokenizer_class": "LlamaTokenizerFast", "chat_template": template}
    return tok, config


def write_atomically(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", required=True, help="shared/data/models")
    ap.add_argument("--out", required=True, help="output folder (one sub-folder per model family)")
    ap.add_argument("--compare", help="folder written by the C++ converter to compare with (same layout)")
    args = ap.parse_args()
    failures = 0
    for name, recipe in RECIPES.items():
        tok, config = build(recipe, args.models)
        out = os.path.join(args.out, name)
        os.makedirs(out, exist_ok=True)
        write_atomically(os.path.join(out, "tokenizer.json"), tok.to_str(pretty=True))
        write_atomically(os.path.join(out, "tokenizer_config.json"), json.dumps(config, ensure_ascii=False, indent=2))
        print(f"{name}: vocab {tok.get_vocab_size(with_added_tokens=False)}, "
              f"merges {len(json.loads(tok.to_str())['model']['merges'])}, added {len(recipe['added'])} -> {out}")
        if args.compare:
            for file in ("tokenizer.json", "tokenizer_config.json"):
                with open(os.path.join(out, file), encoding="utf-8") as f:
                    ours = json.load(f)
                with open(os.path.join(args.compare, name, file), encoding="utf-8") as f:
                    theirs = json.load(f)
                same = ours == theirs
                failures += not same
                print(f"  {file}: {'identical content' if same else 'DIFFERENT'} to {args.compare}/{name}/{file}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
