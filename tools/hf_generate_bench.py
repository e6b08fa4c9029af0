#!/usr/bin/env python3
"""transformers `generate` speed on the same checkpoint as engine_cuda_bench (bench/device_check.sh step 4):
greedy, ignoring end-of-sequence, static KV cache, bf16 on the GPU when there is one. Prints markdown rows
(workload, output tokens/s) in the layout of engine_cuda_bench's table, for the side-by-side.
With --max-seconds a run stops after that long (generate's max_time); its rate is then the whole run's,
from the time of its prefill (a one-token generate) and of its steps (with a static cache every step costs
the same whatever the position), which the row says: over a cut window the prefill would weigh more than
in the whole run.

    python3 tools/hf_generate_bench.py MODEL_DIR [--runs 1x512x128,64x512x128] [--max-seconds S] [--out FILE.md]
"""
import argparse
import time

import torch

from transformers_loading import load_causal_lm


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--runs", default="1x512x128,64x512x128", help="BATCHxPROMPTxGENERATED, comma-separated")
    parser.add_argument("--max-seconds", type=float, help="stop each run after this long (generate's max_time)")
    parser.add_argument("--out")
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = load_causal_lm(args.model, dtype, device)
    vocab = model.config.vocab_size
    rows = []
    generator = torch.Generator().manual_seed(0)
    for spec in args.runs.split(","):
        batch, prompt, generated = (int(x) for x in spec.split("x"))
        ids = torch.randint(0, vocab, (batch, prompt), generator=generator).to(device)
        kwargs = dict(attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=generated,
                      min_new_tokens=generated, pad_token_id=0, cache_implementation="static",
                      # generate() would torch.compile the static-cache decode on CUDA, and compile again inside
                      # the timed run (a longer cache than the warm-up's): minutes the device check has not got.
                      disable_compile=True)
        if args.max_seconds:
            kwargs["max_time"] = args.max_seconds
        def timed(**overrides):
            with torch.no_grad():
                if device == "cuda":
                    torch.cuda.synchronize()
                start = time.perf_counter()
                out = model.generate(ids, **{**kwargs, **overrides})
                if device == "cuda":
                    torch.cuda.synchronize()
                return out.shape[1] - prompt, time.perf_counter() - start

        # Warm-up at the run's full length, so that the static cache the runs below use (transformers keeps
        # one large enough) is allocated outside their timing.
        timed(max_time=1.0)
        _, first_token = timed(max_new_tokens=1, min_new_tokens=1)  # the prefill and its token
        made, seconds = timed()
        if made < generated:
            # Cut by --max-seconds: the prefill weighs more in a short window than in the whole run (as the
            # engine's end-to-end figure has it), so the rate is that of the whole run, from the prefill's time
            # and the steps' (with a static cache every step costs the same whatever the position).
            step = (seconds - first_token) / max(made - 1, 1)
            seconds_whole = first_token + (generated - 1) * step
            rate = batch * generated / seconds_whole
            note = (f", stopped by --max-seconds after {made}: the whole run's rate from its {first_token:.2f} s "
                    f"prefill and {step * 1e3:.1f} ms steps")
        else:
            rate = batch * made / seconds
            note = ""
        rows.append(f"| transformers generate ({device}, {str(dtype).replace('torch.', '')}, static cache, no torch.compile): "
                    f"{batch} x ({prompt} prompt + {generated} generated{note}), output tokens | "
                    f"{rate:.0f} | | | |")
        print(rows[-1], flush=True)
        if args.out:  # after every run, so a run cut short by a timeout keeps the rows before it
            with open(args.out, "w") as f:
                f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
