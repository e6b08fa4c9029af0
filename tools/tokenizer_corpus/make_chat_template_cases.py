#!/usr/bin/env python3
"""Render the R1 distill chat templates (shared/data/models/*/chat_template.jinja) with jinja2, set up as
transformers' apply_chat_template does (sandboxed, trim_blocks, lstrip_blocks), for a set of
conversations, and write chat_template_cases.json: the C++ renderer must give the same bytes.

  $VENV/bin/python tools/tokenizer_corpus/make_chat_template_cases.py --models ../shared/data/models \
      > tools/tokenizer_corpus/chat_template_cases.json
"""
import argparse
import json
import os

from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

BOS = "<｜begin▁of▁sentence｜>"
FAMILIES = ["DeepSeek-R1-Distill-Qwen", "DeepSeek-R1-Distill-Llama"]
MATH = "Please reason step by step, and put your final answer within \\boxed{}."

CONVERSATIONS = [
    ([{"role": "user", "content": "What is 1+1?"}], True),
    ([{"role": "user", "content": "What is 1+1?"}], False),
    ([{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Hi"}], True),
    ([{"role": "system", "content": "first"}, {"role": "user", "content": "a"},
      {"role": "system", "content": "second wins"}, {"role": "user", "content": "b"}], True),
    ([{"role": "user", "content": "Find $x$ if $2x+3=7$.\n" + MATH},
      {"role": "assistant", "content": "<think>\nSubtract 3, divide by 2.\n</think>\n\nSo $x = \\boxed{2}$."},
      {"role": "user", "content": "And if $2x+3=9$?"}], True),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a</think>b</think> last part"}], False),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "no think tags at all"}], True),
    ([{"role": "user", "content": "  leading spaces, 中文, emoji 🚀, tabs\t\tand\n\nnewlines  "}], True),
    ([{"role": "user", "content": ""}], True),
    ([{"role": "system", "content": "only a system prompt"}], True),
    ([], True),
]


def render(template, messages, add_generation_prompt):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    return env.from_string(template).render(messages=messages, add_generation_prompt=add_generation_prompt, bos_token=BOS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    args = ap.parse_args()
    templates = []
    for f in FAMILIES:
        with open(os.path.join(args.models, f, "chat_template.jinja"), encoding="utf-8") as fh:
            templates.append(fh.read())
    cases = []
    for messages, gen in CONVERSATIONS:
        outputs = {render(t, messages, gen) for t in templates}
        assert len(outputs) == 1, "the two families' templates render differently"
        cases.append({"messages": messages, "add_generation_prompt": gen, "rendered": outputs.pop()})
    print(json.dumps(cases, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
