#!/usr/bin/env python3
"""Checks `r1eval serve` with the official `openai` Python client.

  check_serve_openai.py --make-tiny-model DIR   writes the tiny test checkpoint with a byte-level tokenizer
  check_serve_openai.py --base-url URL          runs the checks against a server; exits 1 on a failure

Run through tools/check_serve_openai.sh, which starts the server and provides the client.
"""
import argparse
import json
import pathlib
import shutil
import sys

from byte_level import bytes_to_unicode

BYTE_TOKEN = bytes_to_unicode()


def make_tiny_model(out: pathlib.Path) -> None:
    fixture = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/engine/qwen2_fp32"
    out.mkdir(parents=True, exist_ok=True)
    for f in fixture.iterdir():
        shutil.copy(f, out / f.name)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {
        "version": "1.0", "added_tokens": [], "normalizer": None, "pre_tokenizer": byte_level,
        "post_processor": None, "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {BYTE_TOKEN[b]: b for b in range(256)}, "merges": []},
    }
    (out / "tokenizer.json").write_text(json.dumps(tokenizer), encoding="utf-8")


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        print(("ok   " if ok else "FAIL ") + what + (f"  ({detail})" if detail and not ok else ""))
        self.failed += 0 if ok else 1


def run_checks(base_url: str) -> int:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="not-needed", max_retries=0, timeout=300)
    c = Checks()
    print(f"openai {openai.__version__} against {base_url}")

    models = client.models.list()
    c.check("models.list lists one model", len(models.data) >= 1 and bool(models.data[0].id))
    name = models.data[0].id
    c.check("the model object is a 'model'", models.data[0].object == "model")

    params = dict(model=name, prompt="The capital of France is", max_tokens=10, temperature=0.6, top_p=0.95, seed=11)
    first = client.completions.create(**params)
    again = client.completions.create(**params)
    choice = first.choices[0]
    c.check("completions.create: one text choice", first.object == "text_completion" and len(first.choices) == 1
            and isinstance(choice.text, str))
    c.check("completions.create: finish_reason stop/length", choice.finish_reason in ("stop", "length"), choice.finish_reason)
    c.check("completions.create: usage within max_tokens",
            first.usage is not None and 0 <= first.usage.completion_tokens <= 10 and first.usage.prompt_tokens > 0
            and first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens)
    c.check("completions.create: same seed, same text", again.choices[0].text == choice.text)
    c.check("completions.create: a length finish used every token",
            choice.finish_reason != "length" or first.usage.completion_tokens == 10)

    several = client.completions.create(model=name, prompt="abc", max_tokens=8, temperature=1.0, seed=5, n=3)
    c.check("completions.create n=3: three indexed choices", [x.index for x in several.choices] == [0, 1, 2])

    messages = [{"role": "user", "content": "What is 1+1? Please reason step by step."}]
    chat = client.chat.completions.create(model=name, messages=messages, max_tokens=12, temperature=0.6, seed=3)
    message = chat.choices[0].message
    c.check("chat.completions.create: an assistant message", chat.object == "chat.completion" and message.role == "assistant"
            and isinstance(message.content, str))
    c.check("chat.completions.create: usage", chat.usage is not None and chat.usage.completion_tokens <= 12)

    stream = client.chat.completions.create(model=name, messages=messages, max_tokens=12, temperature=0.6, seed=3,
                                            stream=True, stream_options={"include_usage": True})
    pieces, roles, finish, usage, chunks = [], [], None, None, 0
    for chunk in stream:
        chunks += 1
        c_obj = chunk.object
        if chunk.usage is not None:
            usage = chunk.usage
        for ch in chunk.choices:
            if ch.delta.role:
                roles.append(ch.delta.role)
            if ch.delta.content:
                pieces.append(ch.delta.content)
            if ch.finish_reason:
                finish = ch.finish_reason
    c.check("streaming chat: chunk objects", chunks >= 2 and c_obj == "chat.completion.chunk", f"{chunks} chunks")
    c.check("streaming chat: role first, once", roles == ["assistant"], str(roles))
    c.check("streaming chat: deltas add up to the non-streamed answer", "".join(pieces) == message.content,
            f"{''.join(pieces)!r} vs {message.content!r}")
    c.check("streaming chat: same finish_reason", finish == chat.choices[0].finish_reason)
    c.check("streaming chat: usage chunk", usage is not None and usage.completion_tokens == chat.usage.completion_tokens)

    try:
        client.completions.create(model=name, prompt="x", max_tokens=4, extra_body={"top_p": 7})
        c.check("a bad field is a 400", False, "no error")
    except openai.BadRequestError as e:
        body = e.body if isinstance(e.body, dict) else {}
        c.check("a bad field is a 400 naming it", e.status_code == 400 and body.get("param") == "top_p", str(e.body))
    try:
        client.completions.create(model="another-model", prompt="x", max_tokens=4)
        c.check("an unknown model is a 404", False, "no error")
    except openai.NotFoundError as e:
        c.check("an unknown model is a 404", e.status_code == 404)

    print(f"{'all checks passed' if c.failed == 0 else str(c.failed) + ' checks FAILED'}")
    return 0 if c.failed == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--make-tiny-model", type=pathlib.Path)
    parser.add_argument("--base-url")
    args = parser.parse_args()
    if args.make_tiny_model:
        make_tiny_model(args.make_tiny_model)
        return 0
    if args.base_url:
        return run_checks(args.base_url)
    parser.error("give --make-tiny-model DIR or --base-url URL")
    return 2


if __name__ == "__main__":
    sys.exit(main())
