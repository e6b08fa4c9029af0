#!/usr/bin/env python3
"""Writes tiny random-weight Qwen2, Llama, Qwen3, Phi-3 (also with Phi-4-mini's LongRoPE), SmolLM3, Mistral (with and without sliding windows), Qwen3-MoE, Mixtral, Gemma 1/2/3 (also Gemma 3's image-text class, run on text), OLMo 2/3, GLM-4 (GLM-4-9B-chat-hf's class and GLM-4-0414 / GLM-Z1's), EXAONE (3.5 / Deep, 4.0), Seed-OSS, Granite and ERNIE 4.5 checkpoints in the Hugging Face layout, with reference
logits and greedy continuations computed by transformers, into tests/fixtures/engine/.

Needs torch, transformers and safetensors from PyPI (a venv under /tmp or build/):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers safetensors
    /tmp/venv/bin/python tools/make_tiny_checkpoints.py [OUT_DIR [MODEL ...]]

Each model folder holds config.json (written in the classic layout of the released R1 distills),
generation_config.json, model.safetensors (or shards + model.safetensors.index.json) and
reference.json + reference_logits.safetensors:
  reference.json: {"sequences": [[ids]...], "greedy_prompt": [ids], "greedy_continuation": [ids],
                   "greedy_min_margin": float,
                   "transformers_bf16_row_error": {"worst": float, "mean": float}}
    (the last: transformers' own run of the model in bf16 against the fp32 reference logits, per-row relative L2
    error; the bar a bf16 forward cannot be expected to beat by much)
  reference_logits.safetensors: "logits" F32 [sum of sequence lengths, vocab], sequences concatenated.
The weights of a bf16 / fp16 model are rounded to that type and the reference computed in fp32 from those values,
which is what the engine's CPU backend does.
"""
import copy
import json
import os
import sys
import tempfile

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM
from transformers import (Ernie4_5Config, Ernie4_5ForCausalLM, GptOssConfig, GptOssForCausalLM, GraniteConfig, GraniteForCausalLM, SeedOssConfig, SeedOssForCausalLM, Exaone4Config, Exaone4ForCausalLM, ExaoneConfig, Glm4Config, Glm4ForCausalLM, GlmConfig, GlmForCausalLM, Gemma2Config, Gemma2ForCausalLM, Gemma3Config, Gemma3ForCausalLM, Gemma3ForConditionalGeneration,
                          Gemma3TextConfig, GemmaConfig,
                          GemmaForCausalLM, LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Olmo2Config,
                          Olmo2ForCausalLM, Olmo3Config, Olmo3ForCausalLM, Phi3Config,
                          MixtralConfig, MixtralForCausalLM, Phi3ForCausalLM, Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM, Qwen3MoeConfig,
                          Qwen3MoeForCausalLM, SmolLM3Config, SmolLM3ForCausalLM)

VOCAB = 256
SEQUENCE_LENGTHS = (96, 64, 40)  # 200 positions of reference logits per model
GREEDY_PROMPT_LENGTH = 8
GREEDY_NEW_TOKENS = 64

COMMON = {
    "hidden_size": 64,
    "intermediate_size": 96,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": VOCAB,
    "hidden_act": "silu",
    "initializer_range": 0.02,
    "use_cache": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
}

MODELS = {
    "qwen2_fp32": dict(
        arch="Qwen2ForCausalLM", dtype="float32", seed=11, shards=1,
        config={**COMMON, "model_type": "qwen2", "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
                "rope_theta": 10000.0, "rope_scaling": None, "tie_word_embeddings": False,
                "sliding_window": 4096, "max_window_layers": 2, "use_sliding_window": False,
                "attention_dropout": 0.0}),
    "qwen2_bf16": dict(
        arch="Qwen2ForCausalLM", dtype="bfloat16", seed=12, shards=1,
        config={**COMMON, "model_type": "qwen2", "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
                "rope_theta": 1000000.0, "rope_scaling": None, "tie_word_embeddings": False,
                "sliding_window": 4096, "max_window_layers": 2, "use_sliding_window": False,
                "attention_dropout": 0.0}),
    # Smaller still: Llama with every optional bias, untied, stored in fp16.
    "llama_bias_fp16": dict(
        arch="LlamaForCausalLM", dtype="float16", seed=14, shards=1, sequence_lengths=(64,),
        config={**COMMON, "hidden_size": 32, "intermediate_size": 64, "vocab_size": 128, "model_type": "llama",
                "max_position_embeddings": 1024, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                "tie_word_embeddings": False, "attention_bias": True, "mlp_bias": True, "pretraining_tp": 1,
                "rope_scaling": None}),
    "llama_fp32_sharded": dict(
        arch="LlamaForCausalLM", dtype="float32", seed=13, shards=2,
        config={**COMMON, "model_type": "llama", "max_position_embeddings": 2048, "rms_norm_eps": 1e-5,
                "rope_theta": 500000.0, "tie_word_embeddings": True, "attention_bias": False, "mlp_bias": False,
                "pretraining_tp": 1, "eos_token_id": [2, 3],
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}),
    # Qwen3 (the R1-0528 distill's base): q/k norms per head, no attention bias, head_dim set apart from
    # hidden / heads, tied embeddings as in its small sizes.
    "qwen3_bf16": dict(
        arch="Qwen3ForCausalLM", dtype="bfloat16", seed=15, shards=1,
        config={**COMMON, "model_type": "qwen3", "head_dim": 32, "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
                "rope_theta": 1000000.0, "rope_scaling": None, "tie_word_embeddings": True, "attention_bias": False,
                "sliding_window": None, "max_window_layers": 2, "use_sliding_window": False,
                "attention_dropout": 0.0}),
    # YaRN as QwQ-32B's card tells users to add it ("type" spelling): dimensions 0-6 of 16 on the ramp, the
    # rest divided by 4, cos and sin times 0.1 ln 4 + 1; untied.
    "qwen3_yarn_bf16": dict(
        arch="Qwen3ForCausalLM", dtype="bfloat16", seed=16, shards=1,
        config={**COMMON, "model_type": "qwen3", "head_dim": 32, "max_position_embeddings": 1024,
                "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": False, "attention_bias": False,
                "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 256},
                "sliding_window": None, "max_window_layers": 2, "use_sliding_window": False,
                "attention_dropout": 0.0}),
    # Phi-3 / Phi-4 (Phi-4-reasoning's class): q/k/v in one qkv_proj, gate/up in one gate_up_proj, no biases.
    "phi3_bf16": dict(
        arch="Phi3ForCausalLM", dtype="bfloat16", seed=17, shards=1,
        config={**COMMON, "model_type": "phi3", "max_position_embeddings": 4096,
                "original_max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "rope_theta": 250000.0,
                "rope_scaling": None, "tie_word_embeddings": False, "sliding_window": None, "pad_token_id": 0,
                "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attention_dropout": 0.0}),
    # Phi-4-mini-reasoning's rotary embedding: 12 of each head's 16 dimensions turn, LongRoPE over 8 x 32 positions
    # (attention factor sqrt(1 + ln 8 / ln 32)), tied embeddings. transformers takes long_factor for a sequence
    # past 32 positions, which the engine takes always (the model is longer than 32); so every reference
    # sequence and the greedy prompt are longer than 32.
    "phi4_mini_longrope_bf16": dict(
        arch="Phi3ForCausalLM", dtype="bfloat16", seed=22, shards=1, greedy_prompt_length=40,
        config={**COMMON, "model_type": "phi3", "max_position_embeddings": 256,
                "original_max_position_embeddings": 32, "partial_rotary_factor": 0.75, "rms_norm_eps": 1e-5,
                "rope_theta": 10000.0, "tie_word_embeddings": True, "sliding_window": None, "pad_token_id": 0,
                "rope_scaling": {"type": "longrope",
                                 "short_factor": [1.0, 1.02, 1.1, 1.3, 1.8, 2.5],
                                 "long_factor": [1.0, 1.5, 2.5, 4.0, 7.0, 12.0]},
                "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attention_dropout": 0.0}),
    # Mistral (Llama's layer, no bias options, head_dim its own, every layer sliding unless sliding_window is null).
    "mistral_fp32": dict(
        arch="MistralForCausalLM", dtype="float32", seed=18, shards=1,
        config={**COMMON, "model_type": "mistral", "head_dim": 32, "max_position_embeddings": 2048,
                "rms_norm_eps": 1e-5, "rope_theta": 1000000.0, "tie_word_embeddings": False, "sliding_window": None,
                "attention_dropout": 0.0}),
    # Sliding windows shorter than the reference sequences: Mistral slides every layer (v0.1's 4096, here 16);
    # Qwen2 with use_sliding_window slides the layers from max_window_layers on (here layer 1 over 12).
    "mistral_window_fp32": dict(
        arch="MistralForCausalLM", dtype="float32", seed=20, shards=1,
        config={**COMMON, "model_type": "mistral", "head_dim": 16, "max_position_embeddings": 2048,
                "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False, "sliding_window": 16,
                "attention_dropout": 0.0}),
    "qwen2_window_fp32": dict(
        arch="Qwen2ForCausalLM", dtype="float32", seed=21, shards=1,
        config={**COMMON, "model_type": "qwen2", "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
                "rope_theta": 10000.0, "rope_scaling": None, "tie_word_embeddings": False,
                "sliding_window": 12, "max_window_layers": 1, "use_sliding_window": True,
                "attention_dropout": 0.0}),
    # SmolLM3 (SmolLM3-3B's class): Llama's layer where every no_rope_layer_interval-th layer applies no rotary
    # embedding (NoPE; here the last of 3), tied as its config defaults, with attention biases; and a sliding
    # window on the NoPE layer (use_sliding_window) shorter than the reference sequences.
    "smollm3_bf16": dict(
        arch="SmolLM3ForCausalLM", dtype="bfloat16", seed=23, shards=1,
        config={**COMMON, "num_hidden_layers": 3, "model_type": "smollm3", "max_position_embeddings": 4096,
                "rms_norm_eps": 1e-6, "rope_theta": 2000000.0, "tie_word_embeddings": True, "attention_bias": True,
                "mlp_bias": False, "no_rope_layer_interval": 3, "use_sliding_window": True, "sliding_window": 20, "pad_token_id": 0,
                "attention_dropout": 0.0}),
    # Qwen3-MoE (Qwen3-30B-A3B's class): 8 experts of 32, the top 2 renormalised; the middle layer keeps a dense
    # MLP (mlp_only_layers), as decoder_sparse_step and mlp_only_layers allow. config.json spells num_experts as the
    # released checkpoints do.
    "qwen3_moe_bf16": dict(
        arch="Qwen3MoeForCausalLM", dtype="bfloat16", seed=19, shards=1,
        config={**COMMON, "num_hidden_layers": 3, "model_type": "qwen3_moe", "head_dim": 32,
                "max_position_embeddings": 4096, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "rope_scaling": None,
                "tie_word_embeddings": False, "attention_bias": False, "sliding_window": None, "max_window_layers": 3,
                "use_sliding_window": False, "attention_dropout": 0.0, "num_experts": 8, "num_experts_per_tok": 2,
                "moe_intermediate_size": 32, "norm_topk_prob": True, "decoder_sparse_step": 1,
                "mlp_only_layers": [1], "router_aux_loss_coef": 0.001, "output_router_logits": False}),
    # Mixtral (Mixtral-8x7B's class): every layer 4 experts of intermediate_size rows, the top 2 renormalised by its
    # router; written under the released names (block_sparse_moe.gate, experts.E.w1 / w3 / w2); every layer slides
    # over 24 positions (sliding_window set), rms_norm_eps and rope_theta at MixtralConfig's defaults (not written).
    "mixtral_bf16": dict(
        arch="MixtralForCausalLM", dtype="bfloat16", seed=30, shards=1,
        config={**COMMON, "model_type": "mixtral", "max_position_embeddings": 4096, "tie_word_embeddings": False,
                "sliding_window": 24, "num_local_experts": 4, "num_experts_per_tok": 2, "router_jitter_noise": 0.0,
                "attention_dropout": 0.0}),
    # Gemma (gemma-2b's layout): one key/value head, head_dim apart from hidden / heads, the legacy "gelu" that
    # means GELU's tanh form, norms as offsets from 1, the embedding times sqrt(hidden_size) rounded to bf16
    # (sqrt(48) = 6.928 -> 6.9375), tied.
    "gemma_bf16": dict(
        arch="GemmaForCausalLM", dtype="bfloat16", seed=24, shards=1,
        config={**COMMON, "hidden_size": 48, "hidden_act": "gelu", "num_key_value_heads": 1, "model_type": "gemma", "head_dim": 32,
                "max_position_embeddings": 8192, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
                "tie_word_embeddings": True, "attention_bias": False, "attention_dropout": 0.0, "pad_token_id": 0}),
    # Gemma 2: post-attention and post-MLP norms, q . k scaled by query_pre_attn_scalar, soft caps on the attention
    # scores and the logits (small here so that they bite), every second layer sliding over 16 positions.
    "gemma2_bf16": dict(
        arch="Gemma2ForCausalLM", dtype="bfloat16", seed=25, shards=1,
        config={**COMMON, "num_hidden_layers": 3, "hidden_activation": "gelu_pytorch_tanh", "model_type": "gemma2",
                "head_dim": 16, "max_position_embeddings": 8192, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
                "tie_word_embeddings": True, "attention_bias": False, "attention_dropout": 0.0, "pad_token_id": 0,
                "query_pre_attn_scalar": 24, "sliding_window": 16, "attn_logit_softcapping": 2.0,
                "final_logit_softcapping": 15.0}),
    # Gemma 3 (gemma-3-4b's text layout): q/k norms, sliding layers over 16 positions with their own RoPE base
    # (rope_local_base_freq), full layers with rope_theta and linear scaling, pattern 2 instead of 6.
    "gemma3_bf16": dict(
        arch="Gemma3ForCausalLM", dtype="bfloat16", seed=26, shards=1,
        config={**COMMON, "num_hidden_layers": 4, "hidden_activation": "gelu_pytorch_tanh", "model_type": "gemma3_text",
                "head_dim": 32, "max_position_embeddings": 8192, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
                "rope_local_base_freq": 10000.0, "rope_scaling": {"rope_type": "linear", "factor": 8.0},
                "sliding_window_pattern": 2, "tie_word_embeddings": True, "attention_bias": False,
                "attention_dropout": 0.0, "pad_token_id": 0, "query_pre_attn_scalar": 32, "sliding_window": 16,
                "final_logit_softcapping": None, "attn_logit_softcapping": None}),
    # Gemma 3's image-text class (gemma-3-4b/12b/27b-it), run on text: the text model's tensors under
    # language_model.model.* as save_pretrained writes them, a small vision tower beside them that the engine does
    # not read, the config's text part in text_config and its dtype, end token and tying outside it.
    "gemma3_multimodal_bf16": dict(
        arch="Gemma3ForConditionalGeneration", dtype="bfloat16", seed=29, shards=2,
        config={"model_type": "gemma3", "tie_word_embeddings": True, "eos_token_id": 2, "bos_token_id": 1,
                "mm_tokens_per_image": 4,
                "text_config": {**COMMON, "num_hidden_layers": 3, "model_type": "gemma3_text", "head_dim": 32,
                                "rope_scaling": {"rope_type": "linear", "factor": 8.0}, "sliding_window": 16,
                                "sliding_window_pattern": 3, "query_pre_attn_scalar": 32, "max_position_embeddings": 8192,
                                "hidden_activation": "gelu_pytorch_tanh", "pad_token_id": 0},
                "vision_config": {"model_type": "siglip_vision_model", "hidden_size": 16, "intermediate_size": 32,
                                  "num_hidden_layers": 1, "num_attention_heads": 2, "image_size": 28,
                                  "patch_size": 14}}),
    # OLMo 2 (OLMo-2-1124-7B's layout): no input norms, the attention and MLP outputs normalised before the residual
    # add, each token's whole q and k projections normalised before RoPE (two key/value heads, so that four ranks
    # replicate them), rms_norm_eps at OLMo's 1e-6, untied.
    "olmo2_bf16": dict(
        arch="Olmo2ForCausalLM", dtype="bfloat16", seed=27, shards=1,
        config={**COMMON, "model_type": "olmo2", "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
                "rope_theta": 500000.0, "rope_scaling": None, "tie_word_embeddings": False, "attention_bias": False,
                "attention_dropout": 0.0, "pad_token_id": 0}),
    # OLMo 3 (Olmo-3-7B-Think's layout): OLMo 2's layer with every fourth layer full and the others sliding (the
    # default pattern, no layer_types written) over 16 positions; YaRN (written as the released config writes it)
    # on the full layers only, with an original context short enough to bite within the reference sequences.
    "olmo3_bf16": dict(
        arch="Olmo3ForCausalLM", dtype="bfloat16", seed=28, shards=1,
        config={**COMMON, "num_hidden_layers": 4, "num_key_value_heads": 4, "model_type": "olmo3",
                "max_position_embeddings": 256, "rms_norm_eps": 1e-6, "rope_theta": 500000.0,
                "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64,
                                 "attention_factor": 1.2079441541679836, "beta_fast": 32, "beta_slow": 1},
                "sliding_window": 16, "tie_word_embeddings": False, "attention_bias": False,
                "attention_dropout": 0.0, "pad_token_id": 0}),
    # GLM-4-9B-chat-hf's class: RoPE on neighbouring pairs of the first half of each head (the default partial
    # factor, written as the released config writes it), q/k/v biases, gate and up in one gate_up_proj, untied.
    "glm_bf16": dict(
        arch="GlmForCausalLM", dtype="bfloat16", seed=29, shards=1,
        config={**COMMON, "model_type": "glm", "head_dim": 16, "max_position_embeddings": 4096,
                "rms_norm_eps": 1.5625e-07, "rope_theta": 10000.0, "partial_rotary_factor": 0.5,
                "attention_bias": True, "tie_word_embeddings": False, "attention_dropout": 0.0,
                "pad_token_id": 0, "eos_token_id": [2, 3]}),
    # GLM-4-0414 / GLM-Z1's class: GLM's layer with the attention and MLP outputs normalised before the residual add
    # (post_self_attn_layernorm, post_mlp_layernorm), a head_dim apart from hidden / heads, three quarters of each
    # head rotated (so an unrotated tail remains), 4:1 GQA.
    "glm4_bf16": dict(
        arch="Glm4ForCausalLM", dtype="bfloat16", seed=30, shards=1,
        config={**COMMON, "model_type": "glm4", "num_attention_heads": 8, "head_dim": 32,
                "max_position_embeddings": 32768, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                "partial_rotary_factor": 0.75, "attention_bias": True, "tie_word_embeddings": False,
                "attention_dropout": 0.0, "pad_token_id": 0, "eos_token_id": [2, 3]}),
    # EXAONE 3.5 / EXAONE Deep's class, as released: its own config names (num_layers, layer_norm_epsilon,
    # activation_function) and tensor names (transformer.h.N.attn.attention.*, ln_1, c_fc_0, ...; transformers loads
    # it as Llama and writes those names back on save_pretrained), llama3 RoPE, untied as EXAONE Deep 7.8B / 32B.
    "exaone_bf16": dict(
        arch="ExaoneForCausalLM", dtype="bfloat16", seed=31, shards=1,
        config={"hidden_size": 64, "intermediate_size": 96, "num_layers": 2, "num_attention_heads": 4,
                "num_key_value_heads": 2, "vocab_size": VOCAB, "activation_function": "silu",
                "initializer_range": 0.02, "use_cache": True, "bos_token_id": 1, "eos_token_id": 2,
                "model_type": "exaone", "head_dim": 16, "max_position_embeddings": 4096,
                "layer_norm_epsilon": 1e-5, "rope_theta": 1000000.0, "tie_word_embeddings": False,
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
                "attention_dropout": 0.0, "pad_token_id": 0}),
    # EXAONE 4.0's class: only the attention and MLP outputs normalised, per-head q/k norms, and the hybrid layers of
    # EXAONE-4.0-32B (three sliding layers over 16 positions with RoPE, then one global layer with none), untied.
    "exaone4_bf16": dict(
        arch="Exaone4ForCausalLM", dtype="bfloat16", seed=32, shards=1,
        config={**COMMON, "num_hidden_layers": 4, "model_type": "exaone4", "head_dim": 32,
                "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "rope_theta": 1000000.0,
                "sliding_window": 16, "sliding_window_pattern": 4, "tie_word_embeddings": False,
                "attention_dropout": 0.0, "pad_token_id": 0}),
    # Seed-OSS-36B's class: Llama's layer with q/k/v biases and, under its own switch, an o_proj bias; head_dim set.
    "seed_oss_bf16": dict(
        arch="SeedOssForCausalLM", dtype="bfloat16", seed=33, shards=1,
        config={**COMMON, "model_type": "seed_oss", "head_dim": 32, "max_position_embeddings": 4096,
                "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "attention_bias": True, "attention_out_bias": True,
                "mlp_bias": False, "tie_word_embeddings": False, "attention_dropout": 0.0, "residual_dropout": 0.0,
                "pad_token_id": 0}),
    # Granite 3.x's class: Llama's layer with its four multipliers (at values away from 1 and from head_dim^-1/2);
    # untied (the Granite 3 models are tied, but a tied random model this small repeats its last token greedily).
    "granite_bf16": dict(
        arch="GraniteForCausalLM", dtype="bfloat16", seed=34, shards=1,
        config={**COMMON, "model_type": "granite", "max_position_embeddings": 4096, "rms_norm_eps": 1e-5,
                "rope_theta": 10000000.0, "attention_bias": False, "mlp_bias": False, "tie_word_embeddings": False,
                "embedding_multiplier": 12.0, "attention_multiplier": 0.0625, "residual_multiplier": 0.22,
                "logits_scaling": 8.0, "attention_dropout": 0.0, "pad_token_id": 0}),
    # ERNIE 4.5's dense class: RoPE on neighbouring pairs of the whole head (GLM's, computed in fp32), every linear
    # layer with a bias (use_bias), head_dim set; untied (the 0.3B model is tied).
    "ernie45_bf16": dict(
        arch="Ernie4_5ForCausalLM", dtype="bfloat16", seed=35, shards=1,
        config={**COMMON, "model_type": "ernie4_5", "head_dim": 32, "max_position_embeddings": 4096,
                "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "use_bias": True, "tie_word_embeddings": False,
                "pad_token_id": 0}),
    # gpt-oss's class (gpt-oss-20b / 120b) in its bf16 layout: a sink per attention head, biases on every
    # attention projection, the router and the experts (fused: gate_up_proj [experts, hidden, 2 * inter] with gate
    # and up columns alternating); 4 experts, the top 2. layer_types left out, so the first layer slides (over 24
    # positions, inside the test sequences) by GptOssConfig's alternation; YaRN as released; the SwiGLU clamp at 1.5
    # (7 in the released models) so that random weights reach it.
    "gpt_oss_bf16": dict(
        arch="GptOssForCausalLM", dtype="bfloat16", seed=36, shards=1,
        config={**COMMON, "model_type": "gpt_oss", "intermediate_size": 32, "head_dim": 32, "num_local_experts": 4,
                "num_experts_per_tok": 2, "sliding_window": 24, "max_position_embeddings": 131072,
                "rms_norm_eps": 1e-5, "rope_theta": 150000.0,
                "rope_scaling": {"rope_type": "yarn", "factor": 32.0, "beta_fast": 32.0, "beta_slow": 1.0,
                                 "truncate": False, "original_max_position_embeddings": 4096},
                "attention_bias": True, "tie_word_embeddings": False, "swiglu_limit": 1.5,
                "router_aux_loss_coef": 0.9, "output_router_logits": False, "pad_token_id": 0}),
}

# The released gpt-oss checkpoints' layout: the expert stacks in MXFP4 (quantization_config mxfp4), everything else
# bf16. The reference model holds the expert weights as transformers dequantizes those blocks. Every token takes all
# 4 experts here, so that bf16 rounding of the router cannot swap one (gpt_oss_bf16 checks the top-2 choice). Three
# 32-value groups of intermediate rows: two ranks hold one and two of them packed, four ranks an even cut, widened.
MODELS["gpt_oss_mxfp4"] = dict(
    MODELS["gpt_oss_bf16"], seed=37, mxfp4=True,
    config={**MODELS["gpt_oss_bf16"]["config"], "num_experts_per_tok": 4, "intermediate_size": 96,
            "quantization_config": {"quant_method": "mxfp4",
                                    "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                                               "model.embed_tokens", "lm_head"]}})

# Block-FP8 as Qwen3's *-FP8 releases store it (quant_method fp8): every linear layer's matrix in float8 e4m3 with a
# bf16 inverse scale per block, embeddings, norms and the head in bf16. Blocks of 32 x 40 here (128 x 128 released),
# so that matrices hold several blocks and partial ones at their right and lower edges. The reference model holds
# the dequantized weights (e4m3 value x scale, fp32).
MODELS["qwen3_fp8"] = dict(
    MODELS["qwen3_bf16"], seed=38, fp8_block=(32, 40),
    config={**MODELS["qwen3_bf16"]["config"], "tie_word_embeddings": False,
            "quantization_config": {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
                                    "weight_block_size": [32, 40]}})

# FP8 as llm-compressor writes it (compressed-tensors, "float-quantized"; the FP8-dynamic releases of the R1
# distills): every decoder linear as float8 e4m3 with one scale per output row (`weight_scale` [out, 1], bf16),
# activations quantized per token at run time (weight-only here), the head left in bf16.
MODELS["qwen2_fp8_dynamic"] = dict(
    MODELS["qwen2_bf16"], seed=39, fp8_channels=True,
    config={**MODELS["qwen2_bf16"]["config"],
            "quantization_config": {
                "quant_method": "compressed-tensors", "format": "float-quantized", "quantization_status": "compressed",
                "ignore": ["lm_head"],
                "config_groups": {"group_0": {
                    "targets": ["Linear"],
                    "weights": {"num_bits": 8, "type": "float", "symmetric": True, "strategy": "channel",
                                "dynamic": False},
                    "input_activations": {"num_bits": 8, "type": "float", "symmetric": True, "strategy": "token",
                                          "dynamic": True}}}}})

# Per-tensor FP8 as AutoFP8 and vLLM's fp8 method write it without weight_block_size (quant_method fp8, static
# activation scales): every decoder linear as float8 e4m3 with an fp32 scalar `weight_scale`, and an `input_scale`
# that weight-only loading leaves unread. An R1-Distill-Llama's layer, smaller.
MODELS["llama_fp8_tensor"] = dict(
    MODELS["llama_bias_fp16"], dtype="bfloat16", seed=40, fp8_tensor=True,
    config={**MODELS["llama_bias_fp16"]["config"], "attention_bias": False, "mlp_bias": False,
            "quantization_config": {"quant_method": "fp8", "activation_scheme": "static", "ignored_layers": ["lm_head"]}})

# Integer weights as llm-compressor writes them (compressed-tensors, symmetric): the R1 distills' W4A16 releases
# ("pack-quantized": int4 codes + 8 packed eight to an int32 along each row, `weight_packed`, a bf16 `weight_scale`
# per 32-column group, `weight_shape`) on Qwen2, and their W8A8 releases ("int-quantized": int8 `weight`, a
# `weight_scale` per row; activations quantized per token at run time, weight-only here) on a small Llama.
def compressed_int(format_name, bits, strategy, **extra):
    weights = {"num_bits": bits, "type": "int", "symmetric": True, "strategy": strategy, "dynamic": False,
               "actorder": None, **extra}
    group = {"targets": ["Linear"], "weights": weights,
             "input_activations": None if bits == 4 else
             {"num_bits": 8, "type": "int", "symmetric": True, "strategy": "token", "dynamic": True}}
    return {"quant_method": "compressed-tensors", "format": format_name, "quantization_status": "compressed",
            "ignore": ["lm_head"], "config_groups": {"group_0": group}}


MODELS["qwen2_w4a16"] = dict(
    MODELS["qwen2_bf16"], seed=41, int_weights=(4, 32),
    config={**MODELS["qwen2_bf16"]["config"],
            "quantization_config": compressed_int("pack-quantized", 4, "group", group_size=32)})
MODELS["llama_w8a8"] = dict(
    MODELS["llama_fp8_tensor"], seed=42, fp8_tensor=False, int_weights=(8, None),
    config={**MODELS["llama_fp8_tensor"]["config"],
            "quantization_config": compressed_int("int-quantized", 8, "channel")})

# AutoAWQ's int4 GEMM layout (quant_method awq; the R1 distills' AWQ releases, fp16): per 32 input rows of each
# linear an fp16 scale and a zero point per output, codes and zero points packed eight outputs to an int32
# (`qweight` [in, out / 8], `qzeros` [in / 32, out / 8], `scales` [in / 32, out]).
MODELS["qwen2_awq"] = dict(
    MODELS["qwen2_bf16"], dtype="float16", seed=43, awq_group=32,
    config={**MODELS["qwen2_bf16"]["config"],
            "quantization_config": {"quant_method": "awq", "bits": 4, "group_size": 32, "version": "gemm",
                                    "zero_point": True, "modules_to_not_convert": None}})

# GPTQ as AutoGPTQ / GPTQModel write it (quant_method gptq, the original "gptq" checkpoint format), with act-order
# (desc_act: the inputs quantized in a shuffled order, so g_idx maps each input to its group): codes packed eight
# inputs to an int32 (`qweight` [in / 8, out]), zero points less 1 packed eight outputs to an int32 (`qzeros`),
# fp16 `scales` [in / 32, out], `g_idx` [in]; fp16 like the R1 distills' GPTQ releases.
MODELS["qwen2_gptq"] = dict(
    MODELS["qwen2_bf16"], dtype="float16", seed=44, gptq_group=32,
    config={**MODELS["qwen2_bf16"]["config"],
            "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 32, "desc_act": True,
                                    "sym": False, "checkpoint_format": "gptq", "true_sequential": True}})

ARCHITECTURES = {
    "Qwen2ForCausalLM": (Qwen2Config, Qwen2ForCausalLM),
    "LlamaForCausalLM": (LlamaConfig, LlamaForCausalLM),
    "Qwen3ForCausalLM": (Qwen3Config, Qwen3ForCausalLM),
    "Phi3ForCausalLM": (Phi3Config, Phi3ForCausalLM),
    "MistralForCausalLM": (MistralConfig, MistralForCausalLM),
    "Qwen3MoeForCausalLM": (Qwen3MoeConfig, Qwen3MoeForCausalLM),
    "MixtralForCausalLM": (MixtralConfig, MixtralForCausalLM),
    "SmolLM3ForCausalLM": (SmolLM3Config, SmolLM3ForCausalLM),
    "GemmaForCausalLM": (GemmaConfig, GemmaForCausalLM),
    "Gemma2ForCausalLM": (Gemma2Config, Gemma2ForCausalLM),
    "Gemma3ForCausalLM": (Gemma3TextConfig, Gemma3ForCausalLM),
    "Gemma3ForConditionalGeneration": (Gemma3Config, Gemma3ForConditionalGeneration),
    "Olmo2ForCausalLM": (Olmo2Config, Olmo2ForCausalLM),
    "Olmo3ForCausalLM": (Olmo3Config, Olmo3ForCausalLM),
    "GlmForCausalLM": (GlmConfig, GlmForCausalLM),
    "Glm4ForCausalLM": (Glm4Config, Glm4ForCausalLM),
    # transformers 5 builds EXAONE 3 / 3.5 / Deep as Llama, renaming its tensors on load and back on save.
    "ExaoneForCausalLM": (ExaoneConfig, AutoModelForCausalLM.from_config),
    "Exaone4ForCausalLM": (Exaone4Config, Exaone4ForCausalLM),
    "SeedOssForCausalLM": (SeedOssConfig, SeedOssForCausalLM),
    "GraniteForCausalLM": (GraniteConfig, GraniteForCausalLM),
    "Ernie4_5ForCausalLM": (Ernie4_5Config, Ernie4_5ForCausalLM),
    "GptOssForCausalLM": (GptOssConfig, GptOssForCausalLM),
}


def randomize(model, generator, norm_offsets=False):
    """Weights large enough that logits spread out (greedy choices are then far from ties). Gemma stores its norm
    weights as offsets from 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_((0.0 if norm_offsets else 1.0) + 0.2 * torch.randn(p.shape, generator=generator))
            elif name.endswith(".bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=generator))
            elif "embed_tokens" in name or "lm_head" in name:
                p.copy_(torch.randn(p.shape, generator=generator))
            else:  # [out, in], or [experts, out, in] for fused experts
                p.copy_(torch.randn(p.shape, generator=generator) / p.shape[-1] ** 0.5)


def build(spec):
    config_cls, model_cls = ARCHITECTURES[spec["arch"]]
    hf_config = config_cls(**copy.deepcopy(spec["config"]))  # transformers edits the rope dict in place
    hf_config._attn_implementation = "eager"
    torch.manual_seed(spec["seed"])
    model = model_cls(hf_config).float().eval()
    randomize(model, torch.Generator().manual_seed(spec["seed"]), norm_offsets=spec["arch"].startswith("Gemma"))
    if spec.get("mxfp4"):
        spec["packed"] = mxfp4_experts(model)
    if spec["dtype"] != "float32":
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.to(getattr(torch, spec["dtype"])).float())
            # Gemma's embedding multiplier, sqrt(hidden_size), is a buffer that transformers rounds to the weights'
            # dtype when the checkpoint loads in it; the fp32 reference keeps that rounded value.
            embed = model.get_input_embeddings()
            if hasattr(embed, "embed_scale"):
                embed.embed_scale.copy_(embed.embed_scale.to(getattr(torch, spec["dtype"])).float())
    # After the rounding above: the dequantized values are e4m3 x bf16 products, not bf16.
    if spec.get("fp8_block"):
        spec["packed"] = fp8_linears(model, spec["fp8_block"], "weight_scale_inv")
    if spec.get("fp8_channels"):
        spec["packed"] = fp8_linears(model, None, "weight_scale")
    if spec.get("fp8_tensor"):
        spec["packed"] = fp8_linears(model, "tensor", "weight_scale", input_scales=True)
    if spec.get("int_weights"):
        spec["packed"] = int_linears(model, *spec["int_weights"])
    if spec.get("awq_group"):
        spec["packed"] = awq_linears(model, spec["awq_group"])
    if spec.get("gptq_group"):
        spec["packed"] = gptq_linears(model, spec["gptq_group"], torch.Generator().manual_seed(spec["seed"]))
    return model


E2M1 = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])


def mxfp4_pack(weight):
    """[..., rows, cols] -> MXFP4 blocks [..., rows, cols / 32, 16] (two E2M1 codes a byte, the low nibble first) and
    scales [..., rows, cols / 32] (power-of-two exponents biased by 127), each 32-value group scaled so that its
    largest magnitude fits E2M1's 6 and every value rounded to the nearest code."""
    groups = weight.float().reshape(*weight.shape[:-1], weight.shape[-1] // 32, 32)
    amax = groups.abs().amax(dim=-1, keepdim=True).clamp(min=2.0 ** -126)
    exponent = torch.ceil(torch.log2(amax / 6.0)).clamp(-127, 127)
    scaled = groups / torch.exp2(exponent)
    code = (scaled.abs()[..., None] - E2M1).abs().argmin(dim=-1)
    code = code + 8 * ((scaled < 0) & (code > 0))
    pairs = code.reshape(*code.shape[:-1], 16, 2).to(torch.uint8)
    blocks = (pairs[..., 0] | (pairs[..., 1] << 4)).contiguous()
    scales = (exponent[..., 0] + 127).to(torch.uint8).contiguous()
    return blocks, scales


def mxfp4_experts(model):
    """gpt-oss's expert stacks in the released MXFP4 layout ({name}_blocks / {name}_scales, per expert [out, in]
    rows: gate_up [2 * inter, hidden], down [hidden, inter]); the model's weights become what transformers'
    convert_moe_packed_tensors dequantizes from them."""
    from transformers.integrations.mxfp4 import convert_moe_packed_tensors
    packed = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not name.endswith(("experts.gate_up_proj", "experts.down_proj")):
                continue
            blocks, scales = mxfp4_pack(p.transpose(1, 2))
            p.copy_(convert_moe_packed_tensors(blocks, scales, dtype=torch.float32))
            packed[name + "_blocks"], packed[name + "_scales"] = blocks, scales
    return packed


def decoder_linears(model):
    """(name, module) of every linear layer inside the decoder layers (not the head)."""
    return [(name, module) for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and name.startswith("model.layers.")]


def fp8_linears(model, block, scale_name, input_scales=False):
    """FP8 linears: each decoder layer's [out, in] weight as float8_e4m3fn (`{name}.weight`) with one bf16 scale per
    [rows, cols] block (`{name}.{scale_name}`, [ceil(out / rows), ceil(in / cols)]; block None: one per row, [out, 1];
    "tensor": one fp32 scalar, with an fp32 scalar `{name}.input_scale` beside it), the scale taking the block's
    largest magnitude to e4m3's 448; the model's weights become e4m3 value x scale in fp32."""
    packed = {}
    with torch.no_grad():
        for name, module in decoder_linears(model):
            weight = module.weight.float()
            out, inner = weight.shape
            rows, cols = (out, inner) if block == "tensor" else block or (1, inner)
            grid = (-(-out // rows), -(-inner // cols))
            padded = torch.zeros(grid[0] * rows, grid[1] * cols)
            padded[:out, :inner] = weight
            amax = padded.reshape(grid[0], rows, grid[1], cols).abs().amax(dim=(1, 3)).clamp(min=2.0 ** -100)
            scale = (amax / 448.0).to(torch.float32 if block == "tensor" else torch.bfloat16)
            spread = scale.float().repeat_interleave(rows, 0).repeat_interleave(cols, 1)[:out, :inner]
            codes = (weight / spread).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
            module.weight.copy_(codes.float() * spread)
            packed[name + ".weight"] = codes.contiguous()
            packed[name + "." + scale_name] = scale.reshape(()) if block == "tensor" else scale.contiguous()
            if input_scales:
                packed[name + ".input_scale"] = torch.tensor(0.05, dtype=torch.float32)
    return packed


def int_linears(model, bits, group):
    """Symmetric integer linears as compressed-tensors stores them: codes round(w / scale) in [-2^(b-1), 2^(b-1) - 1]
    with a bf16 scale per row (group None) or per `group` columns of a row (`{name}.weight_scale`). 4 bits: the codes
    + 8 packed eight to an int32, the first in the lowest bits (`{name}.weight_packed` [out, in / 8], and
    `{name}.weight_shape`); 8 bits: int8 `{name}.weight`. The model's weights become code x scale in fp32."""
    top = 2 ** (bits - 1)
    packed = {}
    with torch.no_grad():
        for name, module in decoder_linears(model):
            weight = module.weight.float()
            out, inner = weight.shape
            width = group or inner
            amax = weight.reshape(out, inner // width, width).abs().amax(dim=-1).clamp(min=2.0 ** -100)
            scale = (amax / (top - 0.5)).to(torch.bfloat16)
            spread = scale.float().repeat_interleave(width, 1)
            codes = torch.round(weight / spread).clamp(-top, top - 1).to(torch.int32)
            module.weight.copy_(codes.float() * spread)
            packed[name + ".weight_scale"] = scale.contiguous()
            if bits == 8:
                packed[name + ".weight"] = codes.to(torch.int8).contiguous()
                continue
            nibbles = (codes + top).to(torch.int64).reshape(out, inner // 8, 8)
            words = (nibbles << (4 * torch.arange(8))).sum(dim=-1)
            packed[name + ".weight_packed"] = (words - ((words >= 2 ** 31) * 2 ** 32)).to(torch.int32).contiguous()
            packed[name + ".weight_shape"] = torch.tensor([out, inner], dtype=torch.int64)
    return packed


AWQ_ORDER = [0, 2, 4, 6, 1, 3, 5, 7]  # nibble j of a word holds output 8 w + AWQ_ORDER[j]


def awq_pack(values):
    """[rows, out] int codes 0-15 -> [rows, out / 8] int32 words in AutoAWQ's nibble order."""
    rows, out = values.shape
    grouped = values.to(torch.int64).reshape(rows, out // 8, 8)[:, :, AWQ_ORDER]
    words = (grouped << (4 * torch.arange(8))).sum(dim=-1)
    return (words - (words >= 2 ** 31) * 2 ** 32).to(torch.int32).contiguous()


def awq_linears(model, group):
    """AutoAWQ's GEMM layout of every decoder linear W [out, in]: per `group` input rows and output o, an asymmetric
    int4 range (fp16 scale, zero point 0-15); the model's weights become (code - zero) x scale in fp32."""
    packed = {}
    with torch.no_grad():
        for name, module in decoder_linears(model):
            transposed = module.weight.float().t()  # [in, out], as AWQ stores it
            inner, out = transposed.shape
            groups = transposed.reshape(inner // group, group, out)
            low, high = groups.amin(dim=1), groups.amax(dim=1)
            scale = ((high - low).clamp(min=1e-5) / 15).to(torch.float16)
            zero = torch.round(-low / scale.float()).clamp(0, 15)
            codes = (torch.round(groups / scale.float()[:, None, :]) + zero[:, None, :]).clamp(0, 15)
            values = (codes - zero[:, None, :]) * scale.float()[:, None, :]
            module.weight.copy_(values.reshape(inner, out).t())
            packed[name + ".qweight"] = awq_pack(codes.reshape(inner, out))
            packed[name + ".qzeros"] = awq_pack(zero)
            packed[name + ".scales"] = scale.contiguous()
    return packed


def int32_words(values, dim):
    """Codes 0-15 packed eight to an int32 along `dim` (0 or 1) of a 2-D tensor, the first in the lowest bits."""
    values = values.to(torch.int64)
    if dim == 0:
        values = values.t()
    rows, cols = values.shape
    words = (values.reshape(rows, cols // 8, 8) << (4 * torch.arange(8))).sum(dim=-1)
    words = (words - (words >= 2 ** 31) * 2 ** 32).to(torch.int32)
    return (words.t() if dim == 0 else words).contiguous()


def gptq_linears(model, group, generator, act_order=True):
    """GPTQ's layout of every decoder linear W [out, in]: inputs taken in a shuffled order (act-order) and grouped
    `group` at a time in that order (g_idx), per group and output an asymmetric int4 range (fp16 scale, zero point
    1-15: the format stores it less 1, and a stored -1 would spill into the next code); the model's weights become
    (code - zero) x scale in fp32."""
    packed = {}
    with torch.no_grad():
        for name, module in decoder_linears(model):
            weight = module.weight.float()
            out, inner = weight.shape
            order = torch.randperm(inner, generator=generator) if act_order else torch.arange(inner)
            g_idx = torch.empty(inner, dtype=torch.int64)
            g_idx[order] = torch.arange(inner) // group
            groups = inner // group
            low = torch.stack([weight[:, g_idx == g].amin(dim=1) for g in range(groups)])  # [groups, out]
            high = torch.stack([weight[:, g_idx == g].amax(dim=1) for g in range(groups)])
            scale = ((high - low).clamp(min=1e-5) / 14).to(torch.float16)
            zero = torch.round(-low / scale.float()).clamp(1, 15)
            spread_scale, spread_zero = scale.float()[g_idx].t(), zero[g_idx].t()  # [out, in]
            codes = (torch.round(weight / spread_scale) + spread_zero).clamp(0, 15)
            module.weight.copy_((codes - spread_zero) * spread_scale)
            packed[name + ".qweight"] = int32_words(codes.t(), 0)  # [in / 8, out]
            packed[name + ".qzeros"] = int32_words(zero - 1, 1)    # [groups, out / 8]
            packed[name + ".scales"] = scale.contiguous()
            packed[name + ".g_idx"] = g_idx.to(torch.int32)
    return packed


def hub_state_dict(model, spec):
    """The tensors under the names released checkpoints use. transformers 5.x keeps a MoE model's experts fused
    in memory ([experts, 2 * inter, hidden] gate_up_proj), an image-text model's language model under
    model.language_model.* and EXAONE 3's tensors under Llama's names, and writes them back in the released layout
    on save_pretrained."""
    if not any(kind in spec["arch"] for kind in ("Moe", "Mixtral", "ConditionalGeneration")) and \
            spec["arch"] != "ExaoneForCausalLM":
        return model.state_dict()
    with tempfile.TemporaryDirectory() as folder:
        model.save_pretrained(folder)
        return load_file(os.path.join(folder, "model.safetensors"))


def state_dict_to_save(model, spec):
    tied = spec["config"]["tie_word_embeddings"]
    dtype = getattr(torch, spec["dtype"])
    tensors = {}
    packed = spec.get("packed", {})
    for name, tensor in hub_state_dict(model, spec).items():
        if (tied and name == "lm_head.weight") or name + "_blocks" in packed or name in packed or \
                name + "_packed" in packed or name.replace(".weight", ".qweight") in packed:
            continue
        tensors[name] = tensor.detach().to(dtype).contiguous().clone()
    tensors.update(packed)
    return tensors


def save_weights(tensors, out_dir, shards):
    names = sorted(tensors)
    if shards == 1:
        save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
        return
    weight_map = {}
    total = 0
    for s in range(shards):
        part = names[s * len(names) // shards:(s + 1) * len(names) // shards]
        file_name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        save_file({n: tensors[n] for n in part}, os.path.join(out_dir, file_name), metadata={"format": "pt"})
        for n in part:
            weight_map[n] = file_name
            total += tensors[n].numel() * tensors[n].element_size()
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


@torch.no_grad()
def greedy(model, prompt):
    ids = list(prompt)
    min_margin = float("inf")
    for _ in range(GREEDY_NEW_TOKENS):
        logits = model(torch.tensor([ids])).logits[0, -1]
        top = torch.topk(logits, 2).values
        min_margin = min(min_margin, float(top[0] - top[1]))
        ids.append(int(torch.argmax(logits)))
    return ids[len(prompt):], min_margin


def write_model(name, spec, root):
    out_dir = os.path.join(root, name)
    os.makedirs(out_dir, exist_ok=True)
    model = build(spec)
    config = {"architectures": [spec["arch"]], **spec["config"], "torch_dtype": spec["dtype"],
              "transformers_version": "4.44.0"}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump({"_from_model_config": True, "bos_token_id": 1, "eos_token_id": spec["config"]["eos_token_id"],
                   "do_sample": True, "temperature": 0.6, "top_p": 0.95}, f, indent=2)
    save_weights(state_dict_to_save(model, spec), out_dir, spec["shards"])

    generator = torch.Generator().manual_seed(spec["seed"] + 1000)
    vocab = spec["config"].get("text_config", spec["config"])["vocab_size"]
    sequences = [torch.randint(0, vocab, (n,), generator=generator).tolist()
                 for n in spec.get("sequence_lengths", SEQUENCE_LENGTHS)]
    with torch.no_grad():
        logits = torch.cat([model(torch.tensor([s])).logits[0] for s in sequences]).float().contiguous()
    save_file({"logits": logits}, os.path.join(out_dir, "reference_logits.safetensors"))
    bf16_model = copy.deepcopy(model).to(torch.bfloat16)
    with torch.no_grad():
        bf16_logits = torch.cat([bf16_model(torch.tensor([s])).logits[0] for s in sequences]).float()
    row_error = (bf16_logits - logits).norm(dim=-1) / logits.norm(dim=-1)

    # Retry prompts until no greedy step is a near tie, so fp32 rounding cannot flip a choice.
    for attempt in range(20):
        prompt = torch.randint(0, vocab, (spec.get("greedy_prompt_length", GREEDY_PROMPT_LENGTH),),
                               generator=generator).tolist()
        continuation, margin = greedy(model, prompt)
        if margin > 1e-2:
            break
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump({"sequences": sequences, "greedy_prompt": prompt, "greedy_continuation": continuation,
                   "greedy_min_margin": margin,
                   "transformers_bf16_row_error": {"worst": float(row_error.max()), "mean": float(row_error.mean())}},
                  f)
    print(f"{name}: greedy min margin {margin:.4f} after {attempt + 1} prompt(s)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "fixtures", "engine")
    only = set(sys.argv[2:])  # model names to write (all when none is given)
    torch.set_num_threads(1)
    for name, spec in MODELS.items():
        if not only or name in only:
            write_model(name, spec, root)


if __name__ == "__main__":
    main()
