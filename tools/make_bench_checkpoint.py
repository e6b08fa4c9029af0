#!/usr/bin/env python3
"""Writes a random-weight Qwen2 checkpoint large enough that its weights do not fit in CPU caches, for
bench/engine_forward_bench (R1EVAL_BENCH_MODEL=OUT_DIR). Not committed: made on demand.

    /tmp/venv/bin/python tools/make_bench_checkpoint.py OUT_DIR [--hidden 1024 --layers 4 --vocab 32000]

R1-Distill-Qwen-1.5B's exact shape (what bench/device_check.sh makes on the GPU machine):

    python3 tools/make_bench_checkpoint.py OUT_DIR --hidden 1536 --layers 28 --heads 12 --kv-heads 2 \
        --intermediate 8960 --vocab 151936 --max-position 131072

Needs numpy from PyPI. The shape follows R1-Distill-Qwen (grouped-query attention with few
key/value heads, qkv bias, untied head); weights are bf16 like the released checkpoints.
"""
import argparse
import json
import os

import numpy as np

from byte_level import bytes_to_unicode

BYTE_TOKEN = bytes_to_unicode()


def bf16_bits(values):
    """Rounds float32 values to bfloat16 (nearest even) and returns the raw 16-bit patterns."""
    bits = values.astype(np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


def write_bf16_safetensors(path, shapes, rng):
    """Writes the safetensors layout directly (numpy has no bfloat16): header, then tensors in order."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in shapes.items():
        size = 2 * int(np.prod(shape))
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # data region 8-byte aligned, as the safetensors writer does
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for name, shape in shapes.items():
            if name.endswith("norm.weight"):
                values = 1.0 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
            else:
                values = rng.standard_normal(shape, dtype=np.float32)
                values *= np.float32(1.0 / np.sqrt(shape[-1]))  # in place, in float32
            f.write(bf16_bits(values).tobytes())
    os.replace(tmp, path)


def write_byte_tokenizer(path):
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {"version": "1.0", "added_tokens": [], "normalizer": None, "pre_tokenizer": byte_level,
                 "post_processor": None, "decoder": byte_level,
                 "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                           "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                           "ignore_merges": False, "vocab": {BYTE_TOKEN[b]: b for b in range(256)}, "merges": []}}
    with open(path, "w") as f:
        json.dump(tokenizer, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--kv-heads", type=int, default=2)
    parser.add_argument("--intermediate", type=int, default=4096)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--max-position", type=int, default=4096, help="max_position_embeddings (context bound)")
    parser.add_argument("--byte-tokenizer", action="store_true",
                        help="also write a byte-level tokenizer.json (ids 0-255 are the bytes), so `r1eval run` can use the folder")
    args = parser.parse_args()
    head_dim = args.hidden // args.heads
    rng = np.random.default_rng(0)
    shapes = {"model.embed_tokens.weight": (args.vocab, args.hidden), "model.norm.weight": (args.hidden,),
              "lm_head.weight": (args.vocab, args.hidden)}
    for n in range(args.layers):
        p = f"model.layers.{n}."
        shapes.update({
            p + "input_layernorm.weight": (args.hidden,), p + "post_attention_layernorm.weight": (args.hidden,),
            p + "self_attn.q_proj.weight": (args.heads * head_dim, args.hidden),
            p + "self_attn.q_proj.bias": (args.heads * head_dim,),
            p + "self_attn.k_proj.weight": (args.kv_heads * head_dim, args.hidden),
            p + "self_attn.k_proj.bias": (args.kv_heads * head_dim,),
            p + "self_attn.v_proj.weight": (args.kv_heads * head_dim, args.hidden),
            p + "self_attn.v_proj.bias": (args.kv_heads * head_dim,),
            p + "self_attn.o_proj.weight": (args.hidden, args.heads * head_dim),
            p + "mlp.gate_proj.weight": (args.intermediate, args.hidden),
            p + "mlp.up_proj.weight": (args.intermediate, args.hidden),
            p + "mlp.down_proj.weight": (args.hidden, args.intermediate)})
    os.makedirs(args.out_dir, exist_ok=True)
    write_bf16_safetensors(os.path.join(args.out_dir, "model.safetensors"), shapes, rng)
    config = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": args.hidden,
              "intermediate_size": args.intermediate, "num_hidden_layers": args.layers,
              "num_attention_heads": args.heads, "num_key_value_heads": args.kv_heads, "vocab_size": args.vocab,
              "max_position_embeddings": args.max_position, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
              "tie_word_embeddings": False, "hidden_act": "silu", "torch_dtype": "bfloat16",
              "bos_token_id": 1, "eos_token_id": 2, "use_sliding_window": False}
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    if args.byte_tokenizer:
        write_byte_tokenizer(os.path.join(args.out_dir, "tokenizer.json"))
    print(f"{sum(int(np.prod(s)) for s in shapes.values()) / 1e6:.1f} M parameters in {args.out_dir}")


if __name__ == "__main__":
    main()
