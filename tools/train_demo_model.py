#!/usr/bin/env python3
"""Trains the demo model of `r1eval demo`: a ~0.3M-parameter Llama-architecture transformer that solves the
synthetic arithmetic task demo_arith (tasks/demo_arith_task.cpp) in R1 form, with its own byte-level BPE
tokenizer, and writes it in the Hugging Face layout.

Needs torch, safetensors and numpy from PyPI (no transformers: the model is written here in plain torch,
tensor for tensor the same computation as transformers' LlamaForCausalLM):
    python3 -m venv .venv && .venv/bin/pip install torch safetensors numpy
    .venv/bin/python tools/train_demo_model.py [--out tests/fixtures/demo_model] [--steps N]
Deterministic on CPU for a given torch build (seeded, one thread: faster than two on a busy machine); about 15-20 minutes on 2 busy cores.

What it writes into --out:
  config.json, generation_config.json, model.safetensors (bf16), tokenizer.json, tokenizer_config.json,
  eval_problems.tsv  the held-out problems (id, question, answer) as this script generates them; a C++ test
                     checks that the demo_arith task generates the same list,
  reference.json + reference_logits.safetensors  logits of the saved weights on a few sequences, for the
                     engine's comparison test,
  README.md          the model card: how it was trained, the loss, the accuracy measured here (greedy).

The training problems come from another seed and never include a held-out problem.
"""
import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from byte_level import bytes_to_unicode

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
USER = "<｜User｜>"
ASSISTANT = "<｜Assistant｜>"
THINK, END_THINK = "<think>", "</think>"
ADDED = [BOS, EOS, USER, ASSISTANT, THINK, END_THINK]
INSTRUCTION = "\nPlease reason step by step, and put your final answer within \\boxed{}."

# The held-out set: must match tasks/demo_arith_task.cpp (same generator, seed and count).
EVAL_SEED = 20261129
EVAL_COUNT = 100
TRAIN_SEED = 7
MASK64 = (1 << 64) - 1

# ---------------------------------------------------------------------------------------------------------
# Problems


class SplitMix64:
    """The 64-bit generator the C++ task uses, so both sides draw the same numbers."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self, lo, hi):
        return lo + self.next() % (hi - lo + 1)


def draw_problem(rng):
    """(op, a, b): three-digit addition, subtraction with a >= b, or a three-digit number times a digit."""
    op = "+-*"[rng.next() % 3]
    a = rng.uniform(100, 999)
    b = rng.uniform(2, 9) if op == "*" else rng.uniform(100, 999)
    if op == "-" and a < b:
        a, b = b, a
    return op, a, b


def question(op, a, b):
    return f"What is {a} {op} {b}?"


def answer(op, a, b):
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def eval_problems():
    rng, seen, out = SplitMix64(EVAL_SEED), set(), []
    while len(out) < EVAL_COUNT:
        p = draw_problem(rng)
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def trace(op, a, b):
    """The thinking: one line per column, least significant first; the carry (or borrow) of a line is
    what the next line adds (or subtracts)."""
    lines, carry = [], 0
    if op == "*":
        for x in reversed(str(a)):
            v = int(x) * b + carry
            lines.append(f"{x}*{b}+{carry}={v}")
            carry = v // 10
        if carry:
            lines.append(f"carry {carry}")
    elif op == "+":
        for x, y in zip(reversed(str(a)), reversed(str(b))):
            v = int(x) + int(y) + carry
            lines.append(f"{x}+{y}+{carry}={v}")
            carry = v // 10
        if carry:
            lines.append(f"carry {carry}")
    else:
        for x, y in zip(reversed(str(a)), reversed(str(b))):
            top = int(x) + (10 if int(x) - int(y) - carry < 0 else 0)
            v = top - int(y) - carry
            lines.append(f"{top}-{y}-{carry}={v}")
            carry = 1 if top >= 10 else 0
    return "\n".join(lines)


def prompt_text(op, a, b):
    """What the engine feeds the model: the R1 distill template with <think>\\n forced."""
    return f"{BOS}{USER}{question(op, a, b)}{INSTRUCTION}{ASSISTANT}{THINK}\n"


def completion_text(op, a, b):
    return f"{trace(op, a, b)}\n{END_THINK}\n\nThe answer is \\boxed{{{answer(op, a, b)}}}.{EOS}"


# ---------------------------------------------------------------------------------------------------------
# Tokenizer: byte-level BPE in the tokenizers JSON format, Qwen2's split pattern (every digit on its own).

QWEN_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
# The same pattern for ASCII text (all this model ever sees), in Python's re syntax.
ASCII_PATTERN = re.compile(r"'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]"
                           r"| ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in ADDED) + ")")


B2U = bytes_to_unicode()


def pieces(text):
    return [m.group(0) for m in ASCII_PATTERN.finditer(text)]


def learn_merges(texts, count):
    """Classic BPE training: repeatedly merge the most frequent adjacent pair (ties: the smaller pair)."""
    words = {}
    for t in texts:
        for part in SPECIAL_SPLIT.split(t):
            if part and part not in ADDED:
                for p in pieces(part):
                    key = tuple(B2U[b] for b in p.encode())
                    words[key] = words.get(key, 0) + 1
    merges = []
    for _ in range(count):
        pairs = {}
        for w, n in words.items():
            for i in range(len(w) - 1):
                pairs[(w[i], w[i + 1])] = pairs.get((w[i], w[i + 1]), 0) + n
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] < 2:
            break
        merges.append(best)
        merged = {}
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        words = merged
    return merges


class Tokenizer:
    def __init__(self, merges):
        self.vocab = {B2U[b]: b for b in range(256)}
        for a, b in merges:
            self.vocab.setdefault(a + b, len(self.vocab))
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.added = {t: len(self.vocab) + i for i, t in enumerate(ADDED)}
        self.size = len(self.vocab) + len(ADDED)
        self.text_of = {i: t for t, i in self.vocab.items()}
        self.cache = {}

    def bpe(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        parts = [B2U[b] for b in piece.encode()]
        while len(parts) > 1:
            ranked = [(self.ranks.get((parts[i], parts[i + 1]), math.inf), i) for i in range(len(parts) - 1)]
            rank, i = min(ranked)
            if rank == math.inf:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        ids = [self.vocab[p] for p in parts]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        ids = []
        for part in SPECIAL_SPLIT.split(text):
            if part in self.added:
                ids.append(self.added[part])
            elif part:
                for p in pieces(part):
                    ids.extend(self.bpe(p))
        return ids

    def decode(self, ids):
        u2b = {c: b for b, c in B2U.items()}
        names = {i: t for t, i in self.added.items()}
        out = bytearray()
        for i in ids:
            if i in names:
                out += names[i].encode()
            else:
                out += bytes(u2b[c] for c in self.text_of[i])
        return out.decode("utf-8", errors="replace")

    def to_json(self):
        added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": t in (BOS, EOS)} for t, i in self.added.items()]
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
        bos_id = self.added[BOS]
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": QWEN_PATTERN}, "behavior": "Isolated", "invert": False},
                byte_level]},
            "post_processor": {"type": "Sequence", "processors": [byte_level, {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": BOS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": BOS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": BOS, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {BOS: {"id": BOS, "ids": [bos_id], "tokens": [BOS]}}}]},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": [[a, b] for a, b in self.merges]},
        }


# A Jinja template equivalent to the R1 distill template for what this model is used with (no system
# prompt or tools): BOS, the user turns, assistant turns with their thinking removed, "<think>\n" forced.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
    "{% elif message['role'] == 'assistant' %}{% set content = message['content'] %}"
    "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
    "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}")

# ---------------------------------------------------------------------------------------------------------
# Model: transformers' LlamaForCausalLM (eager attention, tied embeddings, no biases), in plain torch.

CONFIG = {
    "hidden_size": 96, "intermediate_size": 256, "num_hidden_layers": 3, "num_attention_heads": 4,
    "num_key_value_heads": 2, "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
    "tie_word_embeddings": True,
}


class RMSNorm(torch.nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, n, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.heads, self.kv_heads, self.head_dim = n, kv, h // n
        lin = lambda i, o: torch.nn.Linear(i, o, bias=False)
        self.input_layernorm = RMSNorm(h, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(h, c["rms_norm_eps"])
        self.self_attn = torch.nn.ModuleDict({"q_proj": lin(h, n * self.head_dim), "k_proj": lin(h, kv * self.head_dim),
                                              "v_proj": lin(h, kv * self.head_dim), "o_proj": lin(n * self.head_dim, h)})
        self.mlp = torch.nn.ModuleDict({"gate_proj": lin(h, c["intermediate_size"]), "up_proj": lin(h, c["intermediate_size"]),
                                        "down_proj": lin(c["intermediate_size"], h)})

    def forward(self, x, cos, sin, mask):
        bsz, t, _ = x.shape
        a = self.self_attn
        y = self.input_layernorm(x)
        q = a["q_proj"](y).view(bsz, t, self.heads, self.head_dim).transpose(1, 2)
        k = a["k_proj"](y).view(bsz, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = a["v_proj"](y).view(bsz, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv_heads
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(bsz, t, -1)
        x = x + a["o_proj"](y)
        y = self.post_attention_layernorm(x)
        m = self.mlp
        return x + m["down_proj"](F.silu(m["gate_proj"](y)) * m["up_proj"](y))


class Model(torch.nn.Module):
    def __init__(self, c, vocab):
        super().__init__()
        self.c = c
        self.embed_tokens = torch.nn.Embedding(vocab, c["hidden_size"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        head_dim = c["hidden_size"] // c["num_attention_heads"]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if p.dim() == 2:
                    p.normal_(0.0, 0.02)

    def forward(self, ids):
        t = ids.shape[1]
        freqs = torch.arange(t, dtype=torch.float32)[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.norm(x) @ self.embed_tokens.weight.T

    def hf_state_dict(self):
        out = {"model.embed_tokens.weight": self.embed_tokens.weight, "model.norm.weight": self.norm.weight}
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                out[f"model.layers.{i}.{name}"] = p
        return out


# ---------------------------------------------------------------------------------------------------------
# Training and evaluation


def training_problems(rng, count, held_out):
    out = []
    while len(out) < count:
        op = rng.choice("+-*")
        a = rng.randint(100, 999)
        b = rng.randint(2, 9) if op == "*" else rng.randint(100, 999)
        if op == "-" and a < b:
            a, b = b, a
        if (op, a, b) not in held_out:
            out.append((op, a, b))
    return out


def make_batch(tok, problems):
    seqs, starts = [], []
    for p in problems:
        prompt = tok.encode(prompt_text(*p))
        seqs.append(prompt + tok.encode(completion_text(*p)))
        starts.append(len(prompt))
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), tok.added[EOS], dtype=torch.long)
    targets = torch.full((len(seqs), width), -100, dtype=torch.long)
    for r, (s, start) in enumerate(zip(seqs, starts)):
        ids[r, :len(s)] = torch.tensor(s)
        # Loss on the completion only: position j predicts token j + 1.
        targets[r, start - 1:len(s) - 1] = torch.tensor(s[start:])
    return ids, targets


@torch.no_grad()
def greedy_accuracy(model, tok, problems, max_new=64):
    correct = 0
    eos = tok.added[EOS]
    for p in problems:
        ids = tok.encode(prompt_text(*p))
        start = len(ids)
        for _ in range(max_new):
            nxt = int(model(torch.tensor([ids]))[0, -1].argmax())
            ids.append(nxt)
            if nxt == eos:
                break
        m = re.search(r"\\boxed\{([^}]*)\}", tok.decode(ids[start:]))
        correct += bool(m) and m.group(1) == str(answer(*p))
    return correct / len(problems)


def write_text(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def write_json(path, obj):
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "demo_model"))
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--merges", type=int, default=120)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(TRAIN_SEED)
    os.makedirs(args.out, exist_ok=True)
    began = time.time()

    held = eval_problems()
    held_set = set(held)
    rng = random.Random(TRAIN_SEED)
    corpus = training_problems(rng, 3000, held_set)
    tok = Tokenizer(learn_merges([prompt_text(*p) + completion_text(*p) for p in corpus], args.merges))
    print(f"tokenizer: {len(tok.merges)} merges, vocab {tok.size}; prompt "
          f"{len(tok.encode(prompt_text(*held[0])))} tokens, completion {len(tok.encode(completion_text(*held[0])))}",
          flush=True)

    model = Model(CONFIG, tok.size)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params} parameters", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    warmup = max(1, args.steps // 20)
    schedule = lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    losses = []
    for step in range(args.steps):
        ids, targets = make_batch(tok, training_problems(rng, args.batch, held_set))
        logits = model(ids)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if (step + 1) % 50 == 0:
            recent = losses[-100:]
            print(f"step {step + 1}/{args.steps} loss {sum(recent) / len(recent):.4f} "
                  f"({time.time() - began:.0f}s)", flush=True)
    train_seconds = time.time() - began

    # Save in bf16, then measure what was saved: the weights the engine reads, computed in fp32.
    model.eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(torch.bfloat16).float())
    tensors = {k: v.detach().to(torch.bfloat16).contiguous().clone() for k, v in model.hf_state_dict().items()}
    save_file(tensors, os.path.join(args.out, "model.safetensors"), metadata={"format": "pt"})
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", **CONFIG, "vocab_size": tok.size,
              "hidden_act": "silu", "attention_bias": False, "mlp_bias": False, "pretraining_tp": 1,
              "rope_scaling": None, "bos_token_id": tok.added[BOS], "eos_token_id": tok.added[EOS],
              "torch_dtype": "bfloat16", "use_cache": True}
    write_json(os.path.join(args.out, "config.json"), config)
    write_json(os.path.join(args.out, "generation_config.json"),
               {"bos_token_id": tok.added[BOS], "eos_token_id": tok.added[EOS], "do_sample": True,
                "temperature": 0.6, "top_p": 0.95})
    write_json(os.path.join(args.out, "tokenizer.json"), tok.to_json())
    write_json(os.path.join(args.out, "tokenizer_config.json"),
               {"add_bos_token": True, "add_eos_token": False, "bos_token": BOS, "eos_token": EOS, "pad_token": EOS,
                "clean_up_tokenization_spaces": False, "model_max_length": CONFIG["max_position_embeddings"],
                "tokenizer_class": "LlamaTokenizerFast", "chat_template": CHAT_TEMPLATE})
    write_text(os.path.join(args.out, "eval_problems.tsv"),
               "".join(f"demo_arith-{i:03d}\t{question(*p)}\t{answer(*p)}\n" for i, p in enumerate(held)))

    # Reference logits: two held-out prompt+completion sequences and one training sequence.
    sequences = [tok.encode(prompt_text(*p) + completion_text(*p)) for p in (held[0], held[1], corpus[0])]
    with torch.no_grad():
        logits = torch.cat([model(torch.tensor([s]))[0] for s in sequences]).float().contiguous()
    save_file({"logits": logits}, os.path.join(args.out, "reference_logits.safetensors"))
    write_json(os.path.join(args.out, "reference.json"), {"sequences": sequences})

    accuracy = greedy_accuracy(model, tok, held)
    final_loss = sum(losses[-100:]) / min(100, len(losses))
    print(f"held-out greedy accuracy {accuracy:.3f}, final loss {final_loss:.4f}, {train_seconds:.0f}s training",
          flush=True)
    card = f"""# demo_model: the model of `r1eval demo`

A {params}-parameter Llama-architecture transformer ({CONFIG['num_hidden_layers']} layers, hidden
{CONFIG['hidden_size']}, {CONFIG['num_attention_heads']} heads / {CONFIG['num_key_value_heads']} key-value heads,
tied embeddings, bf16 weights) with its own byte-level BPE tokenizer ({len(tok.merges)} merges, vocabulary
{tok.size} with the R1 special tokens), trained from scratch by `tools/train_demo_model.py` to answer the
synthetic task `demo_arith` (three-digit addition, subtraction, and multiplication by a digit) in R1 form:
the R1 distill chat template, the task's exact prompt, then a column-by-column trace inside
`<think>...</think>` and `The answer is \\boxed{{N}}.`

Training: {args.steps} steps of {args.batch} problems (seed {TRAIN_SEED}; the {EVAL_COUNT} held-out problems of
`eval_problems.tsv` are excluded), AdamW lr {args.lr} with warmup and cosine decay, loss on the completion
only. Final training loss (mean of the last 100 steps): {final_loss:.4f}. Took {train_seconds:.0f} s on
{args.threads} CPU thread(s).

Held-out accuracy with greedy decoding, measured by the script on the saved bf16 weights:
{accuracy:.3f} ({round(accuracy * EVAL_COUNT)}/{EVAL_COUNT}). Sampled at temperature 0.6 by the engine:
see `r1eval demo` and bench/RESULTS.md.

Made for the demo and the end-to-end tests only; it knows nothing but this task.
"""
    write_text(os.path.join(args.out, "README.md"), card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
