#!/usr/bin/env python3
"""Tokenizer speed, side by side in one run: Hugging Face `tokenizers` single-threaded (RAYON_NUM_THREADS=1)
and the engine's tokenizer (bench/tokenizer_bench), encoding the same corpus with the same tokenizer.json
files. Prints a markdown table for bench/RESULTS.md.

  $VENV/bin/python tools/tokenizer_corpus/compare_speed.py --tokenizers $TOKDIR \
      --shared-data ../shared/data --bench build/bench/tokenizer_bench
"""
import argparse
import json
import os
import subprocess
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers starts its thread pool
os.environ["TOKENIZERS_PARALLELISM"] = "false"
from tokenizers import Tokenizer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

FAMILIES = {"Qwen": "DeepSeek-R1-Distill-Qwen", "Llama": "DeepSeek-R1-Distill-Llama"}


def time_hf(tok, texts, repeats):
    """Best CPU seconds over `repeats` passes encoding every document one by one (the first pass warms
    the BPE cache, as the C++ benchmark's iterations do), and the token count."""
    best, tokens = float("inf"), 0
    for _ in range(repeats):
        start = time.process_time()
        tokens = sum(len(tok.encode(t, add_special_tokens=False).ids) for t in texts)
        best = min(best, time.process_time() - start)
    return best, tokens


def time_hf_batch(tok, texts, repeats):
    """Best CPU seconds for encode_batch over all documents (one Rust call; one thread)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        tok.encode_batch(texts, add_special_tokens=False)
        best = min(best, time.process_time() - start)
    return best


def time_hf_cold(path, texts):
    """CPU seconds of the first pass of a freshly loaded tokenizer (empty BPE cache)."""
    tok = Tokenizer.from_file(path)
    start = time.process_time()
    tok.encode_batch(texts, add_special_tokens=False)
    return time.process_time() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizers", required=True)
    ap.add_argument("--shared-data", required=True)
    ap.add_argument("--bench", required=True, help="path of the tokenizer_bench executable")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    texts = [t for _, t in corpus.documents(args.shared_data)]
    nbytes = sum(len(t.encode()) for t in texts)

    hf, hf_cold = {}, {}
    for short, folder in FAMILIES.items():
        path = os.path.join(args.tokenizers, folder, "tokenizer.json")
        hf_cold[short] = min(time_hf_cold(path, texts) for _ in range(3))
        tok = Tokenizer.from_file(path)
        seconds, tokens = time_hf(tok, texts, args.repeats)
        hf[short] = (min(seconds, time_hf_batch(tok, texts, args.repeats)), tokens)

    out = subprocess.run([args.bench, f"--tokenizers={args.tokenizers}", "--benchmark_filter=Encode",
                          "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
    ours, ours_cold = {}, {}
    for b in json.loads(out)["benchmarks"]:
        for short in FAMILIES:
            if b["name"].startswith(f"BM_EncodeCorpus{short}"):
                ours[short] = (b["cpu_time"] / 1e3, int(b["tokens"]))  # cpu_time is in ms
            if b["name"].startswith(f"BM_EncodeCold{short}"):
                ours_cold[short] = b["cpu_time"] / 1e3

    print(f"Corpus: {len(texts)} documents, {nbytes / 1e6:.2f} MB of UTF-8. Single thread, CPU time per pass "
          f"over the corpus. Warm: BPE word caches filled by earlier passes (HF: best of {args.repeats} of "
          f"encode() per document and encode_batch(); r1eval: Google Benchmark mean). Cold: first pass of a "
          f"freshly loaded tokenizer (HF: best of 3 encode_batch; r1eval: mean of 3).\n")
    print("| tokenizer | cache | tokens | HF tokenizers (s) | HF MB/s | r1eval (s) | r1eval MB/s | r1eval / HF speed |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for short in FAMILIES:
        (hs, htok), (os_, otok) = hf[short], ours[short]
        assert htok == otok, f"{short}: token counts differ ({htok} vs {otok})"
        for label, h, o in (("warm", hs, os_), ("cold", hf_cold[short], ours_cold[short])):
            print(f"| {short} | {label} | {htok} | {h:.3f} | {nbytes / h / 1e6:.1f} | {o:.4f} | {nbytes / o / 1e6:.1f} | {h / o:.1f}x |")


if __name__ == "__main__":
    main()
