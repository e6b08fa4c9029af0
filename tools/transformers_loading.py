"""Loading a checkpoint into transformers at a given dtype, for the device check's references
(tools/engine_parity.py, tools/hf_generate_bench.py), across transformers versions."""


def load_causal_lm(model_dir, dtype, device):
    """AutoModelForCausalLM of model_dir in `dtype` on `device`, in eval mode; asserts the dtype it got."""
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype)
    except TypeError:  # transformers before 4.56 calls it torch_dtype
        model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=dtype)
    model = model.to(device).eval()
    if model.dtype != dtype:
        raise RuntimeError(f"transformers loaded {model_dir} as {model.dtype}, not {dtype}")
    return model
