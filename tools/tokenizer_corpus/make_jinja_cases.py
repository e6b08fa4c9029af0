#!/usr/bin/env python3
"""Write jinja_cases.json: differential test cases for the C++ Jinja2 interpreter that renders Hugging Face
chat templates. Every case is rendered here with jinja2, set up as transformers' apply_chat_template sets it up:

  * ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols]) plus
    transformers' `{% generation %}` tag (renders its body unchanged);
  * filter `tojson` replaced by transformers' own: json.dumps(x, ensure_ascii=False, indent=None,
    separators=None, sort_keys=False), so no HTML escaping, non-ASCII kept, key order kept;
  * globals `raise_exception(msg)` (raises TemplateError), `strftime_now(fmt)`, `dict(...)` and a
    `namespace(...)` that refuses names starting with '_' (SecurityError);
  * strftime_now is FIXED to 2025-01-22 00:00:00 (a Wednesday), recorded in the header as
    "strftime_now_date": the C++ side must use the same date when it runs these cases.

Each case is {"name", "template", "context", "expected"} or, where jinja2 refuses to compile or render,
{"name", "template", "context", "error": true, "error_type": <jinja2/Python exception class>}.
The context is exactly what the template sees, passed as render(**context); key order matters (dicts
iterate in insertion order). Realistic cases include "tools": null and "documents": null as transformers
passes them when none are given (so `tools is defined` is true there); where a key is absent it is undefined.
Note that transformers (this version) also drops None-valued message keys before rendering; the contexts
here are the template's view, after that step, except in cases named *_content_null.

  $VENV/bin/python tools/tokenizer_corpus/make_jinja_cases.py --models ../shared/data/models \
      -o tools/tokenizer_corpus/jinja_cases.json
  $VENV/bin/python tools/tokenizer_corpus/make_jinja_cases.py --models ../shared/data/models --check-transformers \
      -o tools/tokenizer_corpus/jinja_cases.json

--check-transformers also renders every case with transformers' own compiled template (strftime_now patched
to the same date) and fails if any output or error class differs.
"""
import argparse
import datetime
import json
import os
import sys

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

FIXED_DATE = datetime.datetime(2025, 1, 22)
R1_FAMILIES = ["DeepSeek-R1-Distill-Qwen", "DeepSeek-R1-Distill-Llama"]
R1_BOS = "<｜begin▁of▁sentence｜>"
R1_EOS = "<｜end▁of▁sentence｜>"
MATH = "Please reason step by step, and put your final answer within \\boxed{}."


# ---------------------------------------------------------------------------------------------------------
# The environment (mirrors transformers.utils.chat_template_utils, written independently)
# ---------------------------------------------------------------------------------------------------------

class GenerationTag(Extension):
    """`{% generation %}...{% endgeneration %}`: transformers uses it to mark assistant tokens; output is the body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_body"), [], [], body).set_lineno(lineno)

    def _body(self, caller):
        return caller()


class GuardedNamespace(Namespace):
    """namespace() that refuses underscore-prefixed attribute names, as transformers' does."""

    def __init__(*args, **kwargs):
        self, rest = args[0], args[1:]
        attrs = dict(*rest, **kwargs)
        for key in attrs:
            GuardedNamespace.check(key)
        Namespace.__init__(self, attrs)

    def __setitem__(self, key, value):
        GuardedNamespace.check(key)
        Namespace.__setitem__(self, key, value)

    @staticmethod
    def check(key):
        if isinstance(key, str) and key.startswith("_"):
            raise SecurityError(f"namespace attribute {key!r} starts with an underscore")


class DictMaker:
    """The `dict` global: calling it builds a dict; nothing else is reachable."""

    def __call__(self, *args, **kwargs):
        return dict(*args, **kwargs)


def raise_exception(message):
    raise TemplateError(message)


def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FIXED_DATE.strftime(fmt)


def make_env():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    env.globals["dict"] = DictMaker()
    env.globals["namespace"] = GuardedNamespace
    return env


def render(env, template, context):
    """(True, text) or (False, exception class name). Compile errors count as errors too."""
    try:
        return True, env.from_string(template).render(**context)
    except Exception as e:  # every refusal is a case outcome; the class name goes in the JSON
        return False, type(e).__name__


def transformers_renderer():
    """A render function using transformers' own compiled template, strftime_now patched to FIXED_DATE."""
    from transformers.utils.chat_template_utils import _compile_jinja_template

    def run(template, context):
        try:
            compiled = _compile_jinja_template(template)
            compiled.environment.globals["strftime_now"] = strftime_now
            compiled.globals["strftime_now"] = strftime_now
            return True, compiled.render(**context)
        except Exception as e:
            return False, type(e).__name__
    return run


# ---------------------------------------------------------------------------------------------------------
# Contexts
# ---------------------------------------------------------------------------------------------------------

def chat(messages, gen=True, bos="<s>", eos="</s>", **extra):
    """A context as transformers builds it: tools/documents None unless given, extra kwargs added last."""
    ctx = {"messages": messages, "add_generation_prompt": gen, "bos_token": bos, "eos_token": eos,
           "tools": None, "documents": None}
    ctx.update(extra)
    return ctx


def msg(role, content, **extra):
    m = {"role": role, "content": content}
    m.update(extra)
    return m


def tool_call(name, arguments, call_id=None):
    call = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id:
        call["id"] = call_id
    return call


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather for a city — température in °C",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}
SEARCH_TOOL = {"type": "function", "function": {
    "name": "search", "description": "Search the web for <query> & return \"snippets\"",
    "parameters": {"type": "object", "properties": {
        "query": {"type": "string"}, "top_k": {"type": "integer"},
        "filters": {"type": "array", "items": {"type": "string"}}},
        "required": ["query", "top_k"]}}}

SYS = msg("system", "You are a careful math tutor.")
U1 = msg("user", "What is 1+1?")
A1 = msg("assistant", "1+1 = 2.")
U2 = msg("user", "And 2+2?")
THINK_A = msg("assistant", "<think>\nAdd them: 2+2.\n</think>\n\nThe answer is 4.")
UNICODE_U = msg("user", "  leading spaces, 中文, emoji 🚀, tabs\t\tand\n\nnewlines  ")

BASIC_CHATS = [
    ("single_user", [U1], True),
    ("single_user_no_gen", [U1], False),
    ("system_user", [SYS, U1], True),
    ("multi_turn", [SYS, U1, A1, U2], True),
    ("multi_turn_no_gen", [U1, A1], False),
    ("think_in_history", [U1, THINK_A, U2], True),
    ("unicode_whitespace", [UNICODE_U], True),
    ("empty_content", [msg("user", "")], True),
]

TOOL_ROUND_TRIP = [
    msg("user", "Weather in Zürich and Paris?"),
    msg("assistant", "", tool_calls=[tool_call("get_weather", {"city": "Zürich"}, "c1"),
                                     tool_call("get_weather", {"city": "Paris", "unit": "celsius"}, "c2")]),
    msg("tool", "{\"temp\": 3}", tool_call_id="c1"),
    msg("tool", "{\"temp\": 7}", tool_call_id="c2"),
]


# ---------------------------------------------------------------------------------------------------------
# Realistic chat templates, written here in the shape each family's checkpoints use
# ---------------------------------------------------------------------------------------------------------

# (a) Qwen2.5-Instruct style: ChatML, default system prompt, tools listed with tojson, namespace state.
QWEN25 = r"""{%- set ns = namespace(system='You are a helpful assistant.', start=0) %}
{%- if messages and messages[0].role == 'system' %}
    {%- set ns.system = messages[0].content %}
    {%- set ns.start = 1 %}
{%- endif %}
{{- '<|im_start|>system\n' + ns.system }}
{%- if tools %}
    {{- '\n\n# Tools\n\nFunctions you may call are listed inside <tools></tools>:\n<tools>' }}
    {%- for tool in tools %}
        {{- '\n' }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- '\n</tools>\n\nTo call one, answer with <tool_call>\n{"name": <name>, "arguments": <json>}\n</tool_call>' }}
{%- endif %}
{{- '<|im_end|>\n' }}
{%- for message in messages[ns.start:] %}
    {%- if message.role == 'user' or (message.role == 'assistant' and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
    {%- elif message.role == 'assistant' %}
        {{- '<|im_start|>assistant' }}
        {%- if message.content %}
            {{- '\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\n<tool_call>\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == 'tool' %}
        {%- if loop.first or messages[ns.start + loop.index0 - 1].role != 'tool' %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' }}
        {{- message.content }}
        {{- '\n</tool_response>' }}
        {%- if loop.last or messages[ns.start + loop.index0 + 1].role != 'tool' %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
"""

# (b) QwQ style: earlier reasoning stripped, generation prompt opens a think block.
QWQ = r"""{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] + '\n\n' }}
    {%- endif %}
    {{- '# Tools\n<tools>' }}
    {%- for tool in tools %}
        {{- '\n' + tool | tojson }}
    {%- endfor %}
    {{- '\n</tools><|im_end|>\n' }}
{%- elif messages[0]['role'] == 'system' %}
    {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
{%- endif %}
{%- for message in messages %}
    {%- if message.role == 'user' or (message.role == 'system' and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
    {%- elif message.role == 'assistant' %}
        {%- set content = message.content.split('</think>')[-1].lstrip('\n') %}
        {{- '<|im_start|>' + message.role }}
        {%- if content %}
            {{- '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for call in message.tool_calls %}
                {{- '\n<tool_call>\n' + {'name': call.function.name, 'arguments': call.function.arguments} | tojson + '\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == 'tool' %}
        {%- if loop.index0 == 0 or messages[loop.index0 - 1].role != 'tool' %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' + message.content + '\n</tool_response>' }}
        {%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n<think>\n' }}
{%- endif %}
"""

# (a') Qwen3 style: reverse scan for the last real user query, reasoning_content, enable_thinking kwarg.
QWEN3 = r"""{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}
{%- for message in messages[::-1] %}
    {%- set index = (messages|length - 1) - loop.index0 %}
    {%- if ns.multi_step_tool and message.role == "user" and message.content is string and not (message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}
        {%- set ns.multi_step_tool = false %}
        {%- set ns.last_query_index = index %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message.content is string %}
        {%- set content = message.content %}
    {%- else %}
        {%- set content = '' %}
    {%- endif %}
    {%- if message.role == "user" or message.role == "system" %}
        {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>' + '\n' }}
    {%- elif message.role == "assistant" %}
        {%- set reasoning_content = '' %}
        {%- if message.reasoning_content is string %}
            {%- set reasoning_content = message.reasoning_content %}
        {%- elif '</think>' in content %}
            {%- set reasoning_content = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
            {%- set content = content.split('</think>')[-1].lstrip('\n') %}
        {%- endif %}
        {%- if loop.index0 > ns.last_query_index %}
            {%- if loop.last or (not loop.last and reasoning_content) %}
                {{- '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
            {%- else %}
                {{- '<|im_start|>' + message.role + '\n' + content }}
            {%- endif %}
        {%- else %}
            {{- '<|im_start|>' + message.role + '\n' + content }}
        {%- endif %}
        {%- if message.tool_calls %}
            {%- for tool_call in message.tool_calls %}
                {%- if (loop.first and content) or (not loop.first) %}
                    {{- '\n' }}
                {%- endif %}
                {%- if tool_call.function %}
                    {%- set tool_call = tool_call.function %}
                {%- endif %}
                {{- '<tool_call>\n{"name": "' + tool_call.name + '", "arguments": ' }}
                {%- if tool_call.arguments is string %}
                    {{- tool_call.arguments }}
                {%- else %}
                    {{- tool_call.arguments | tojson }}
                {%- endif %}
                {{- '}\n</tool_call>' }}
            {%- endfor %}
        {%- endif %}
        {{- '<|im_end|>\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.first or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' + content + '\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}
"""

# (c) Llama-3.0 style: one line, bos on the first message via loop.index0, content | trim.
LLAMA30 = ("{% set loop_messages = messages %}{% for message in loop_messages %}"
           "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
           "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
           "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
           "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")

# (c) Llama-3.1/3.2 style: date line via strftime_now with fallback, messages[1:], tools in first user turn.
LLAMA31 = r"""{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- if strftime_now is defined %}
        {%- set date_string = strftime_now("%d %b %Y") %}
    {%- else %}
        {%- set date_string = "01 Jan 2024" %}
    {%- endif %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- Pull the system message out of the list #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] | trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{{- system_message }}
{{- "<|eot_id|>" }}

{%- if tools_in_user_message and not tools is none %}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content'] | trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
    {%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\n\n' }}
    {{- "Given the following functions, reply with a JSON function call.\n\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>" }}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls | length == 1 %}
            {{- raise_exception("Only one tool call per message is supported.") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
        {{- '{"name": "' + tool_call.name + '", "parameters": ' }}
        {{- tool_call.arguments | tojson }}
        {{- "}<|eot_id|>" }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
        {%- if message.content is mapping or message.content is iterable and message.content is not string %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
"""

# (d) Mistral style: [INST], alternation enforced with raise_exception and loop.index0 % 2.
MISTRAL = r"""{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content'] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('After the optional system message, roles must alternate user/assistant/user/...') }}
    {%- endif %}
    {%- if message['role'] == 'user' %}
        {%- if loop.last and system_message is defined %}
            {{- '[INST] ' + system_message + '\n\n' + message['content'] + '[/INST]' }}
        {%- else %}
            {{- '[INST] ' + message['content'] + '[/INST]' }}
        {%- endif %}
    {%- elif message['role'] == 'assistant' %}
        {{- ' ' + message['content'] + eos_token }}
    {%- else %}
        {{- raise_exception('Only user and assistant roles are supported, besides a leading system message.') }}
    {%- endif %}
{%- endfor %}
"""

MISTRAL_V01 = ("{{ bos_token }}{% for message in messages %}"
               "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
               "{{ raise_exception('Roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
               "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
               "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}"
               "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}")

# (e) Gemma-3 style: role renamed by an inline if-expression, system folded into the first user turn,
#     content may be a string or a list of typed parts.
GEMMA3 = r"""{{ bos_token }}
{%- if messages[0]['role'] == 'system' -%}
    {%- if messages[0]['content'] is string -%}
        {%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}
    {%- else -%}
        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\n\n' -%}
    {%- endif -%}
    {%- set loop_messages = messages[1:] -%}
{%- else -%}
    {%- set first_user_prefix = "" -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}
    {%- endif -%}
    {%- set role = "model" if message['role'] == 'assistant' else message['role'] -%}
    {{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else "") }}
    {%- if message['content'] is string -%}
        {{ message['content'] | trim }}
    {%- elif message['content'] is iterable -%}
        {%- for item in message['content'] -%}
            {%- if item['type'] == 'image' -%}
                {{ '<start_of_image>' }}
            {%- elif item['type'] == 'text' -%}
                {{ item['text'] | trim }}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {{ raise_exception("Invalid content type") }}
    {%- endif -%}
    {{ '<end_of_turn>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}
    {{'<start_of_turn>model\n'}}
{%- endif -%}
"""

# (e) Gemma-1/2 style: one line, system role refused.
GEMMA2 = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
          "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
          "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
          "{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}")

# (f) Phi-3 style: <|user|> tags, eos when no generation prompt.
PHI3 = ("{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}"
        "{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}"
        "{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}"
        "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}")

# (f) Phi-4 style: ChatML-like with <|im_sep|>, plus a tools field carried on the system message.
PHI4 = ("{% for message in messages %}{% if message['role'] == 'system' and 'tools' in message and message['tools'] is not none %}"
        "{{ '<|im_start|>' + message['role'] + '<|im_sep|>' + message['content'] + '<|tool|>' + message['tools'] + '<|/tool|>' + '<|im_end|>' }}"
        "{% else %}{{'<|im_start|>' + message['role'] + '<|im_sep|>' + message['content'] + '<|im_end|>'}}{% endif %}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}")

# (g) Macros: gpt-oss (harmony) and Qwen3-Coder templates define macros (recursive type rendering of tool
#     schemas); Hermes-2-Pro/Hermes-3 tool_use templates do too. Written here in the gpt-oss shape.
HARMONY = r"""{%- macro ts_type(spec) -%}
    {%- if spec.type == 'array' -%}
        {{- ts_type(spec['items']) ~ '[]' -}}
    {%- elif spec.type == 'object' and spec.properties is defined -%}
        {{- '{ ' -}}
        {%- for name, sub in spec.properties.items() -%}
            {{- name ~ ('' if name in (spec.required or []) else '?') ~ ': ' ~ ts_type(sub) -}}
            {%- if not loop.last %}{{ ', ' }}{% endif -%}
        {%- endfor -%}
        {{- ' }' -}}
    {%- elif spec.enum is defined -%}
        {{- spec.enum | map('tojson') | join(' | ') -}}
    {%- elif spec.type == 'integer' or spec.type == 'number' -%}
        {{- 'number' -}}
    {%- else -%}
        {{- spec.type | default('any') -}}
    {%- endif -%}
{%- endmacro -%}

{%- macro render_tools(tools) -%}
    {{- '## functions\n\nnamespace functions {\n' -}}
    {%- for tool in tools -%}
        {%- set fn = tool.function if tool.function is defined else tool -%}
        {{- '\n// ' ~ fn.description ~ '\ntype ' ~ fn.name ~ ' = (_: ' ~ ts_type(fn.parameters) ~ ') => any;\n' -}}
    {%- endfor -%}
    {{- '\n} // namespace functions' -}}
{%- endmacro -%}

<|start|>system<|message|>You are a large language model.
Knowledge cutoff: 2024-06
Current date: {{ strftime_now('%Y-%m-%d') }}

Reasoning: {{ reasoning_effort | default('medium') }}
{%- if tools %}


{{ render_tools(tools) }}
{%- endif %}<|end|>
{%- for message in messages -%}
    {%- if message.role == 'system' or message.role == 'developer' -%}
        {{- '<|start|>developer<|message|># Instructions\n\n' ~ message.content | trim ~ '<|end|>' -}}
    {%- elif message.role == 'assistant' -%}
        {%- if message.thinking is defined and loop.last -%}
            {{- '<|start|>assistant<|channel|>analysis<|message|>' ~ message.thinking ~ '<|end|>' -}}
        {%- endif -%}
        {{- '<|start|>assistant<|channel|>final<|message|>' ~ message.content ~ ('<|return|>' if loop.last else '<|end|>') -}}
    {%- else -%}
        {{- '<|start|>' ~ message.role ~ '<|message|>' ~ message.content ~ '<|end|>' -}}
    {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}
<|start|>assistant
{%- endif -%}
"""


def realistic_cases(models_dir):
    """(name, template, context) for the family templates; the R1 distill ones are read from models_dir."""
    out = []
    tools2 = [WEATHER_TOOL, SEARCH_TOOL]

    def add(family, template, chats, **defaults):
        for label, messages, gen, *extra in chats:
            kw = dict(defaults)
            if extra:
                kw.update(extra[0])
            out.append((f"{family}/{label}", template, chat(messages, gen, **kw)))

    tool_chats = [
        ("tools_listed", [U1], True, {"tools": tools2}),
        ("tools_round_trip", TOOL_ROUND_TRIP, True, {"tools": [WEATHER_TOOL]}),
        ("tools_round_trip_then_answer", TOOL_ROUND_TRIP + [msg("assistant", "Zürich 3 °C, Paris 7 °C.")],
         False, {"tools": [WEATHER_TOOL]}),
    ]
    im = dict(bos="", eos="<|im_end|>")
    add("qwen2.5", QWEN25, BASIC_CHATS + tool_chats + [
        ("tools_with_system", [SYS, U1], True, {"tools": [SEARCH_TOOL]}),
        ("empty_messages", [], True),
    ], **im)
    add("qwq", QWQ, BASIC_CHATS + tool_chats + [
        ("two_think_tags", [U1, msg("assistant", "a</think>b</think>\n\nlast part"), U2], True),
        ("think_only_answer", [U1, msg("assistant", "<think>only thoughts</think>")], False),
    ], **im)
    add("qwen3", QWEN3, BASIC_CHATS + tool_chats + [
        ("enable_thinking_false", [U1], True, {"enable_thinking": False}),
        ("enable_thinking_true", [U1], True, {"enable_thinking": True}),
        ("reasoning_content_last", [U1, msg("assistant", "It is 2.", reasoning_content="1 plus 1.")], False),
        ("reasoning_content_earlier", [U1, msg("assistant", "It is 2.", reasoning_content="1 plus 1."), U2], True),
        ("think_in_last_assistant", [U1, THINK_A], False),
        ("tool_response_as_user", [U1, msg("assistant", "", tool_calls=[tool_call("search", "{\"query\": \"x\"}")]),
                                   msg("user", "<tool_response>\nok\n</tool_response>")], True),
        ("content_list", [msg("user", [{"type": "text", "text": "hi"}])], True),
    ], **im)
    llama = dict(bos="<|begin_of_text|>", eos="<|eot_id|>")
    add("llama3.0", LLAMA30, BASIC_CHATS, **llama)
    add("llama3.1", LLAMA31, BASIC_CHATS + [
        ("date_string_kwarg", [U1], True, {"date_string": "05 Mar 2024"}),
        ("tools_undefined", [U1], True, {"tools": jinja2.Undefined}),
        ("tools_in_user", [SYS, U1], True, {"tools": [WEATHER_TOOL]}),
        ("tools_in_system_only", [SYS, U1], True, {"tools": [WEATHER_TOOL], "tools_in_user_message": False}),
        ("tool_call_and_result", [U1, msg("assistant", "", tool_calls=[tool_call("get_weather", {"city": "Oslo"})]),
                                  msg("tool", {"temp": -4, "sky": "clear"}), msg("ipython", "plain text output")],
         True, {"tools": [WEATHER_TOOL], "tools_in_user_message": False}),
        ("two_tool_calls_error", [U1, msg("assistant", "", tool_calls=[tool_call("a", {}), tool_call("b", {})])], True),
        ("tools_but_no_user", [SYS], True, {"tools": [WEATHER_TOOL]}),
    ], **llama)
    add("mistral", MISTRAL, BASIC_CHATS + [
        ("system_on_last_user", [SYS, U1, A1, U2], True),
        ("bad_alternation", [U1, U2], True),
        ("tool_role_refused", [U1, A1, msg("tool", "x")], True),
    ])
    add("mistral_v0.1", MISTRAL_V01, BASIC_CHATS)
    add("gemma3", GEMMA3, BASIC_CHATS + [
        ("content_parts", [msg("user", [{"type": "image"}, {"type": "text", "text": "  Describe this.  "}])], True),
        ("system_parts", [msg("system", [{"type": "text", "text": "Be brief."}]), U1], True),
        ("bad_alternation", [U1, A1, A1], True),
        ("content_number", [msg("user", 42)], True),
    ], bos="<bos>", eos="<eos>")
    add("gemma2", GEMMA2, BASIC_CHATS, bos="<bos>", eos="<eos>")
    add("phi3", PHI3, BASIC_CHATS, bos="<s>", eos="<|endoftext|>")
    add("phi4", PHI4, BASIC_CHATS + [
        ("system_tools_field", [msg("system", "sys", tools=json.dumps([WEATHER_TOOL])), U1], True),
        ("system_tools_null", [msg("system", "sys", tools=None), U1], True),
    ], bos="<|endoftext|>", eos="<|im_end|>")
    add("harmony_macros", HARMONY, BASIC_CHATS + [
        ("tools", [U1], True, {"tools": tools2}),
        ("reasoning_effort", [U1], True, {"reasoning_effort": "high"}),
        ("thinking_last", [U1, msg("assistant", "2", thinking="add")], False),
    ], bos="<|startoftext|>", eos="<|return|>")

    r1 = r1_template(models_dir)
    r1_chats = BASIC_CHATS + [
        ("system_twice_last_wins", [msg("system", "first"), msg("user", "a"), msg("system", "second wins"),
                                    msg("user", "b")], True),
        ("math_prompt", [msg("user", "Find $x$ if $2x+3=7$.\n" + MATH),
                         msg("assistant", "<think>\nSubtract 3, divide by 2.\n</think>\n\nSo $x = \\boxed{2}$."),
                         msg("user", "And if $2x+3=9$?")], True),
        ("two_close_tags", [U1, msg("assistant", "a</think>b</think> last part")], False),
        ("only_system", [msg("system", "only a system prompt")], True),
        ("empty_messages", [], True),
        ("tool_calls_content_null", [U1, msg("assistant", None, tool_calls=[
            tool_call("get_weather", "{\"city\": \"Zürich\"}"), tool_call("get_weather", "{\"city\": \"Paris\"}")]),
            msg("tool", "3"), msg("tool", "7"), msg("assistant", "Done.")], True),
        ("tool_calls_content_dropped", [U1, {"role": "assistant", "tool_calls": [
            tool_call("get_weather", "{\"city\": \"Zürich\"}")]}], True),
        ("tool_result_pending", [U1, msg("assistant", None, tool_calls=[tool_call("f", "{}")]), msg("tool", "r")], True),
        ("add_generation_prompt_undefined", [U1], jinja2.Undefined),
    ]
    add("r1_distill", r1, r1_chats, bos=R1_BOS, eos=R1_EOS)
    return out


def r1_template(models_dir):
    texts = set()
    for family in R1_FAMILIES:
        with open(os.path.join(models_dir, family, "chat_template.jinja"), encoding="utf-8") as fh:
            texts.add(fh.read())
    assert len(texts) == 1, "the R1 distill families' templates differ"
    return texts.pop()


# ---------------------------------------------------------------------------------------------------------
# Feature cases: one construct each. (name, template, extra context). Base context: BASE below.
# ---------------------------------------------------------------------------------------------------------

BASE_MESSAGES = [SYS, msg("user", "Hi"), msg("assistant", "Hello!"), msg("user", "Bye")]

FEATURES = [
    # whitespace control with trim_blocks / lstrip_blocks
    ("ws/block_own_line", "a\n{% if true %}\nb\n{% endif %}\nc", {}),
    ("ws/block_indented", "a\n    {% if true %}\n    b\n    {% endif %}\nc", {}),
    ("ws/block_mid_line", "a {% if true %}b{% endif %} c\nd", {}),
    ("ws/block_after_text_then_newline", "x{% if true %}\ny{% endif %}\nz", {}),
    ("ws/expr_not_trimmed", "a\n    {{ 'b' }}\nc", {}),
    ("ws/minus_left", "a  \n  {%- if true %}b{% endif %}", {}),
    ("ws/minus_right", "{% if true -%}  \n  b{% endif %}", {}),
    ("ws/minus_expr_both", "a \n {{- 'b' -}} \n c", {}),
    ("ws/minus_expr_left_only", "a \n {{- 'b' }} \n c", {}),
    ("ws/comment_own_line", "a\n  {# a comment #}\nb", {}),
    ("ws/comment_minus", "a\n  {#- comment -#}\n  b", {}),
    ("ws/comment_mid_line", "a {# c #} b", {}),
    ("ws/plus_disables_lstrip", "a\n    {%+ if true %}b{% endif %}", {}),
    ("ws/plus_disables_trim", "{% if true +%}\nb{% endif %}", {}),
    ("ws/raw_block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}", {}),
    ("ws/raw_block_own_lines", "a\n  {% raw %}\n  {{ x }}\n  {% endraw %}\nb", {}),
    ("ws/trailing_newline_dropped", "hello\n", {}),
    ("ws/two_trailing_newlines", "hello\n\n", {}),
    ("ws/crlf_normalised", "a\r\nb\r\n{% if true %}\r\nc{% endif %}", {}),
    ("ws/for_loop_lines", "{% for x in [1, 2] %}\n  - {{ x }}\n{% endfor %}\ndone", {}),
    ("ws/nested_indented_blocks", "<\n  {% for x in [1, 2] %}\n    {% if x > 1 %}\n    big {{ x }}\n    {% else %}\n    small {{ x }}\n    {% endif %}\n  {% endfor %}\n>", {}),
    ("ws/set_line_removed", "a\n{% set x = 1 %}\nb{{ x }}", {}),
    ("ws/tab_indent_lstrip", "a\n\t\t{% if true %}\nb\n\t{% endif %}\n", {}),
    ("ws/minus_eats_multiple_lines", "a\n\n\n   {{- 'b' }}", {}),
    ("ws/minus_right_block_eats_lines", "{%- if true -%}\n\n\n b{%- endif -%}\n\n c", {}),
    ("ws/expr_minus_keeps_following_trim", "{{ 'a' -}}\n{% if true %}\nb{% endif %}", {}),

    # literals
    ("lit/string_escapes", r"""{{ 'a\nb' }}|{{ "q\"q" }}|{{ 'it\'s' }}|{{ 'tab\there' }}|{{ 'back\\slash' }}""", {}),
    ("lit/unicode_escape", r"""{{ '\u00e9\u4e2d' }}|{{ '\x41' }}|{{ 'é中🚀' }}""", {}),
    ("lit/backslash_b_is_backspace", r"""{{ '\boxed{}' | tojson }}""", {}),
    ("lit/backslash_b_length", r"""{{ '\boxed{}' | length }} {{ '\\boxed{}' | length }}""", {}),
    ("lit/unknown_escape_kept", r"""{{ '\d\w' }}""", {}),
    ("lit/adjacent_strings_concat", "{{ 'a' 'b' \"c\" }}", {}),
    ("lit/ints", "{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }}", {}),
    ("lit/floats", "{{ 1.5 }} {{ 2.0 }} {{ 1e3 }} {{ 1.5e-7 }} {{ 1e20 }} {{ 1e16 }} {{ 123456789.123 }}", {}),
    ("lit/bools", "{{ true }} {{ True }} {{ false }} {{ False }}", {}),
    ("lit/none", "{{ none }} {{ None }}", {}),
    ("lit/list_repr", "{{ [1, 'a', none, true, 1.5, [2]] }}", {}),
    ("lit/dict_repr", "{{ {'k': 1, 'n': none, 'l': ['x']} }}", {}),
    ("lit/tuple_repr", "{{ (1, 2) }} {{ (1,) }} {{ () }}", {}),
    ("lit/repr_quotes", r"""{{ ["it's", 'say "hi"', 'both \' "'] }}""", {}),
    ("lit/repr_escapes", r"""{{ ['a\nb', 'tab\t', 'é中', '\\'] }}""", {}),
    ("lit/repr_float_in_list", "{{ [1.0, 0.1 + 0.2, 1e20, -0.0] }}", {}),
    ("lit/empty_list_dict", "{{ [] }} {{ {} }}", {}),
    ("lit/context_float_vs_int", "{{ a }} {{ b }} {{ a + b }} {{ [a, b] }}", {"a": 1, "b": 1.0}),
    ("lit/context_repr", "{{ messages[:2] }}", {}),

    # operators
    ("op/concat_tilde", "{{ 'a' ~ 1 ~ none ~ true ~ 1.0 ~ [1] }}", {}),
    ("op/plus_strings_lists", "{{ 'a' + 'b' }} {{ [1] + [2, 3] }}", {}),
    ("op/arith_int", "{{ 7 + 2 }} {{ 7 - 9 }} {{ 7 * 3 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }}", {}),
    ("op/true_division", "{{ 7 / 2 }} {{ 4 / 2 }} {{ 1 / 3 }} {{ 10 / 4 }}", {}),
    ("op/float_arith", "{{ 0.1 + 0.2 }} {{ 1.5 * 2 }} {{ 7.0 // 2 }} {{ 7.5 % 2 }} {{ 2 ** 0.5 }} {{ 2 ** -1 }}", {}),
    ("op/negative_floor_mod", "{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ -7.5 // 2 }}", {}),
    ("op/big_int_pow", "{{ 2 ** 64 }} {{ 2 ** 62 }}", {}),
    ("op/string_repeat", "{{ '-' * 3 }}{{ 2 * 'ab' }}{{ 'x' * 0 }}{{ [0] * 2 }}", {}),
    ("op/unary_minus_filter_precedence", "{{ -1 | abs }} {{ -(1 | abs) }} {{ (-1) | abs }}", {}),
    ("op/filter_binds_tighter_than_plus", "{{ 'x' + '  y  ' | trim + 'z' }}", {}),
    ("op/filter_binds_tighter_than_tilde", "{{ 'a' ~ 'b' | upper }}", {}),
    ("op/precedence_arith", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }}", {}),
    ("op/compare", "{{ 1 == 1.0 }} {{ 'a' < 'b' }} {{ [1, 2] == [1, 2] }} {{ 2 >= 3 }} {{ 'a' != 'a' }} {{ none == none }}", {}),
    ("op/compare_chained", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}", {}),
    ("op/in_string_list_dict", "{{ 'ab' in 'cabd' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1 in {'k': 1} }}", {}),
    ("op/not_in", "{{ 'x' not in 'abc' }} {{ 3 not in [1, 2] }} {{ not 'a' in 'abc' }}", {}),
    ("op/in_message_keys", "{{ 'content' in messages[0] }} {{ 'tool_calls' in messages[0] }}", {}),
    ("op/and_or_values", "{{ 0 or 'x' }}|{{ 'a' and 'b' }}|{{ '' and 'b' }}|{{ none or [] }}|{{ 'a' or 'b' }}|{{ [] and 1 }}", {}),
    ("op/not_values", "{{ not 0 }} {{ not '' }} {{ not 'False' }} {{ not [] }} {{ not none }} {{ not {} }}", {}),
    ("op/short_circuit_guards_undefined", "{{ false and undefined_var.x }}|{{ true or undefined_var.x }}", {}),
    ("op/not_is_precedence", "{{ not undefined_var is defined }} {{ not (undefined_var is defined) }}", {}),
    ("op/ternary", "{{ 'y' if 1 else 'n' }} {{ 'y' if 0 else 'n' }}", {}),
    ("op/ternary_no_else", "[{{ 'y' if false }}]", {}),
    ("op/ternary_no_else_is_undefined", "{{ ('y' if false) is defined }}", {}),
    ("op/ternary_nested", "{{ 'a' if x == 1 else 'b' if x == 2 else 'c' }}", {"x": 2}),
    ("op/truthiness", "{% for v in [0, 0.0, '', [], {}, none, 'False', '0', [0], 1] %}{{ 'T' if v else 'F' }}{% endfor %}", {}),

    # tests
    ("test/defined", "{{ messages is defined }} {{ nope is defined }} {{ nope is not defined }} {{ nope is undefined }}", {}),
    ("test/defined_attr_and_key", "{{ messages[0].role is defined }} {{ messages[0].tool_calls is defined }} {{ messages[0]['x'] is defined }}", {}),
    ("test/none", "{{ none is none }} {{ x is none }} {{ nope is none }} {{ 0 is none }} {{ x is not none }}", {"x": None}),
    ("test/string", "{{ 'a' is string }} {{ 1 is string }} {{ ['a'] is string }} {{ nope is string }}", {}),
    ("test/mapping", "{{ {} is mapping }} {{ messages[0] is mapping }} {{ [] is mapping }} {{ 'a' is mapping }}", {}),
    ("test/iterable", "{{ [] is iterable }} {{ 'a' is iterable }} {{ {} is iterable }} {{ 1 is iterable }} {{ none is iterable }} {{ nope is iterable }}", {}),
    ("test/sequence", "{{ [] is sequence }} {{ 'a' is sequence }} {{ {} is sequence }} {{ 1 is sequence }}", {}),
    ("test/number", "{{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ '1' is number }}", {}),
    ("test/integer_float", "{{ 1 is integer }} {{ 1.0 is integer }} {{ 1.0 is float }} {{ true is integer }}", {}),
    ("test/boolean_true_false", "{{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}", {}),
    ("test/false_of_context", "{{ enable_thinking is false }} {{ enable_thinking is defined and enable_thinking is false }}", {"enable_thinking": False}),
    ("test/odd_even_divisible", "{{ 3 is odd }} {{ 3 is even }} {{ 9 is divisibleby(3) }} {{ 10 is divisibleby 3 }}", {}),
    ("test/eq_and_in", "{{ 'a' is eq 'a' }} {{ 2 is in [1, 2] }} {{ 3 is gt 2 }} {{ 'a' is equalto 'b' }}", {}),
    ("test/lower_upper", "{{ 'abc' is lower }} {{ 'aBc' is lower }} {{ 'ABC' is upper }}", {}),
    ("test/callable_sameas", "{{ raise_exception is callable }} {{ 'x' is callable }} {{ none is sameas none }}", {}),
    ("test/filter_and_test_exist", "{{ 'trim' is filter }} {{ 'nosuch' is filter }} {{ 'odd' is test }}", {}),
    ("test/string_on_content_list", "{{ messages[0].content is string }} {{ parts is string }} {{ parts is iterable }}", {"parts": [{"type": "text", "text": "x"}]}),

    # filters
    ("filter/trim", "[{{ '  a b \n' | trim }}][{{ 'xxaxx' | trim('x') }}][{{ nope | trim }}]", {}),
    ("filter/length_count", "{{ messages | length }} {{ 'héllo' | length }} {{ {'a': 1} | length }} {{ [1, 2] | count }} {{ nope | length }}", {}),
    ("filter/tojson_scalars", "{{ 'x' | tojson }} {{ 1 | tojson }} {{ 1.0 | tojson }} {{ true | tojson }} {{ none | tojson }} {{ 1e20 | tojson }}", {}),
    ("filter/tojson_escapes", r"""{{ 'a"b\\c\nd\te</script>&\'' | tojson }}""", {}),
    ("filter/tojson_non_ascii", "{{ 'é中🚀' | tojson }} {{ ['Zürich'] | tojson }}", {}),
    ("filter/tojson_control_chars", "{{ x | tojson }}", {"x": "a\u0001b\u007fc\u2028d"}),
    ("filter/tojson_nested_keeps_order", "{{ {'z': 1, 'a': [1, {'y': none, 'b': 'x'}], 'm': {}} | tojson }}", {}),
    ("filter/tojson_context_order", "{{ tool | tojson }}", {"tool": WEATHER_TOOL}),
    ("filter/tojson_indent", "{{ {'a': [1, 2], 'b': {'c': 'd'}, 'e': [], 'f': {}} | tojson(indent=2) }}", {}),
    ("filter/tojson_indent_positional", "{{ {'a': 1} | tojson(4) }}", {}),
    ("filter/tojson_separators_sort", "{{ {'b': 1, 'a': [1, 2]} | tojson(separators=(',', ':'), sort_keys=true) }}", {}),
    ("filter/tojson_ensure_ascii", "{{ 'é🚀' | tojson(ensure_ascii=true) }}", {}),
    ("filter/tojson_tuple_and_message", "{{ (1, 'a') | tojson }} {{ messages[0] | tojson }}", {}),
    ("filter/string", "{{ 1 | string }} {{ none | string }} {{ [1, 'a'] | string }} {{ 1.0 | string ~ '!' }}", {}),
    ("filter/case", "{{ 'hELLo wOrld' | lower }} {{ 'hello' | upper }} {{ 'hello wORLD' | capitalize }}", {}),
    ("filter/title", "{{ \"it's a dog-eat-dog world\" | title }}|{{ 'hello\tworld  x' | title }}|{{ 'ABC def' | title }}", {}),
    ("filter/first_last", "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ 'abc' | first }} {{ 'abc' | last }} {{ messages | last | tojson }}", {}),
    ("filter/first_of_empty", "[{{ [] | first }}]", {}),
    ("filter/join", "{{ ['a', 'b'] | join }}|{{ ['a', 'b'] | join(', ') }}|{{ [1, 2] | join('-') }}|{{ messages | join(', ', attribute='role') }}", {}),
    ("filter/default_undefined", "{{ nope | default('d') }} {{ nope | d('d2') }} {{ 'x' | default('d') }}", {}),
    ("filter/default_none_and_empty", "{{ x | default('d') }}|{{ x | default('d', true) }}|{{ '' | default('d') }}|{{ '' | default('d', true) }}|{{ 0 | default('d', boolean=true) }}", {"x": None}),
    ("filter/default_missing_key", "{{ messages[0].tool_calls | default([]) | length }} {{ messages[0]['name'] | default('anon') }}", {}),
    ("filter/items", "{% for k, v in {'b': 1, 'a': 2} | items %}{{ k }}={{ v }};{% endfor %}", {}),
    ("filter/list", "{{ 'abc' | list }} {{ {'k': 1, 'j': 2} | list }} {{ (1, 2) | list }}", {}),
    ("filter/reverse", "{{ 'abc' | reverse }} {{ [1, 2, 3] | reverse | list }} {{ [1, 2, 3] | reverse | join(',') }}", {}),
    ("filter/replace", "{{ 'aXbXc' | replace('X', '-') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 'abc' | replace('', '.') }}", {}),
    ("filter/int", "{{ '42' | int }} {{ '3.7' | int }} {{ 3.9 | int }} {{ 'abc' | int }} {{ 'abc' | int(7) }} {{ '0x1A' | int(0, 16) }} {{ -2.5 | int }}", {}),
    ("filter/int_of_list_and_none", "{{ [1] | int }} {{ none | int }} {{ none | trim }} {{ true | int }}", {}),
    ("filter/float", "{{ '3.5' | float }} {{ 2 | float }} {{ 'x' | float }} {{ '1e3' | float }}", {}),
    ("filter/abs", "{{ -3 | abs }} {{ -2.5 | abs }} {{ (-3) | abs }}", {}),
    ("filter/round", "{{ 2.5 | round }} {{ 3.5 | round }} {{ 3.14159 | round(2) }} {{ 7 | round }} {{ 2.7 | round(0, 'floor') }} {{ 2.1 | round(0, 'ceil') }} {{ 2.675 | round(2) }}", {}),
    ("filter/map_attribute", "{{ messages | map(attribute='role') | list }}", {}),
    ("filter/map_attribute_default", "{{ messages | map(attribute='name', default='?') | join(',') }}", {}),
    ("filter/map_filter", "{{ ['a', 'b'] | map('upper') | join }} {{ ['  x ', 'y '] | map('trim') | list }} {{ [1, 2] | map('string') | join('+') }}", {}),
    ("filter/map_tojson", "{{ ['a', 1, none] | map('tojson') | join(' | ') }}", {}),
    ("filter/selectattr_equalto", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}", {}),
    ("filter/selectattr_eq_ops", "{{ messages | selectattr('role', 'eq', 'user') | list | length }} {{ messages | selectattr('role', '==', 'assistant') | list | length }}", {}),
    ("filter/selectattr_truthy", "{{ items | selectattr('on') | map(attribute='n') | list }}", {"items": [{"n": 1, "on": True}, {"n": 2, "on": False}, {"n": 3}]}),
    ("filter/selectattr_defined", "{{ items | selectattr('on', 'defined') | map(attribute='n') | list }}", {"items": [{"n": 1, "on": True}, {"n": 2, "on": False}, {"n": 3}]}),
    ("filter/rejectattr", "{{ messages | rejectattr('role', 'equalto', 'system') | map(attribute='role') | join(',') }}", {}),
    ("filter/select_reject", "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('odd') | list }} {{ [0, 1, '', 'a', none] | select | list }}", {}),
    ("filter/select_test_arg", "{{ [1, 5, 10] | select('gt', 4) | list }} {{ ['a', 1, 'b'] | select('string') | list }}", {}),
    ("filter/unique", "{{ ['a', 'A', 'b', 'a'] | unique | list }} {{ ['a', 'A'] | unique(case_sensitive=true) | list }} {{ [3, 1, 3] | unique | list }}", {}),
    ("filter/sort", "{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'a'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ ['b', 'A', 'a'] | sort(case_sensitive=true) }}", {}),
    ("filter/sort_attribute", "{{ items | sort(attribute='n') | map(attribute='n') | list }}", {"items": [{"n": 2}, {"n": 1}, {"n": 3}]}),
    ("filter/dictsort", "{{ {'b': 1, 'a': 2, 'C': 0} | dictsort }}", {}),
    ("filter/sum_min_max", "{{ [1, 2, 3] | sum }} {{ [1.5, 2] | sum }} {{ [3, 1] | min }} {{ ['b', 'A', 'c'] | max }} {{ items | sum(attribute='n') }}", {"items": [{"n": 2}, {"n": 5}]}),
    ("filter/indent", "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\nb' | indent('> ') }}", {}),
    ("filter/format", "{{ '%s and %s' | format('a', 'b') }} {{ '%d%%' | format(5) }} {{ '%.2f' | format(3.14159) }}", {}),
    ("filter/wordcount_center", "{{ 'a b  c' | wordcount }} [{{ 'ab' | center(6) }}]", {}),
    ("filter/safe_escape", "{{ '<a>' | safe }} {{ '<a & \"b\">' | e }} {{ '<a>' | escape | length }}", {}),
    ("filter/batch", "{{ [1, 2, 3, 4, 5] | batch(2) | list }}", {}),
    ("filter/block_filter", "{% filter upper %}shout {{ 'this' }}{% endfilter %}", {}),

    # string methods (allowed by the sandbox)
    ("str/strip_family", "[{{ '  a  '.strip() }}][{{ '  a  '.lstrip() }}][{{ '  a  '.rstrip() }}][{{ 'xxaxx'.strip('x') }}][{{ '\n\nA'.lstrip('\n') }}]", {}),
    ("str/split", "{{ 'a,b,,c'.split(',') }} {{ '  a  b \n c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'abc'.split('x') }}", {}),
    ("str/split_index", "{{ 'a</think>b</think>c'.split('</think>')[-1] }} {{ 'abc'.split('</think>')[0] }}", {}),
    ("str/rsplit_partition", "{{ 'a.b.c'.rsplit('.', 1) }} {{ 'k=v=w'.partition('=') }}", {}),
    ("str/starts_ends", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'hello'.endswith('x') }}", {}),
    ("str/replace_method", "{{ 'a-b-c'.replace('-', '+') }} {{ 'aaa'.replace('a', 'b', 1) }}", {}),
    ("str/case_methods", "{{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ \"it's x\".title() }} {{ 'hELLO'.capitalize() }} {{ 'Ab'.swapcase() }}", {}),
    ("str/find_count_index", "{{ 'hello'.find('l') }} {{ 'hello'.find('z') }} {{ 'hello'.count('l') }} {{ 'hello'.index('e') }}", {}),
    ("str/join_method", "{{ ', '.join(['a', 'b']) }} {{ ''.join(messages | map(attribute='role')) }}", {}),
    ("str/format_method", "{{ '{} + {} = {}'.format(1, 2, 3) }} {{ '{name}!'.format(name='x') }} {{ '{:>5}|'.format('a') }}", {}),
    ("str/percent_format", "{{ '%s-%d' % ('a', 3) }} {{ '%05.1f' % 3.14159 }} {{ '%s' % 'x' }}", {}),
    ("str/predicates", "{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ' '.isspace() }} {{ 'Ab'.islower() }}", {}),
    ("str/splitlines_zfill", "{{ 'a\nb\r\nc'.splitlines() }} {{ '7'.zfill(3) }} {{ 'ab'.center(6, '*') }}", {}),
    ("str/removeprefix", "{{ 'prefix-x'.removeprefix('prefix-') }} {{ 'x.txt'.removesuffix('.txt') }}", {}),

    # dict methods
    ("dict/get", "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }} {{ d.get('n', 'dflt') }}", {"d": {"a": 1, "n": None}}),
    ("dict/items_keys_values", "{{ d.items() | list }} {{ d.keys() | list }} {{ d.values() | list }}", {"d": {"b": 1, "a": 2}}),
    ("dict/for_items", "{% for k, v in d.items() %}{{ k }}:{{ v }}{% if not loop.last %}, {% endif %}{% endfor %}", {"d": {"z": 1, "a": [1], "m": None}}),
    ("dict/iterate_keys", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"z": 1, "a": 2}}),
    ("dict/items_key_vs_method", "{{ spec.items is mapping }} {{ spec['items'] is mapping }} {{ spec['items'].type }}", {"spec": {"type": "array", "items": {"type": "string"}}}),
    ("dict/attr_vs_key", "{{ d.role }} {{ d['role'] }} {{ d.missing }}|{{ d['missing'] }}|", {"d": {"role": "user"}}),
    ("dict/dict_global", "{{ dict(a=1, b='x') }} {{ dict(a=1) | tojson }}", {}),
    ("dict/nonstring_keys", "{{ {1: 'a', 2: 'b'}[1] }} {{ {1: 'a'} }}", {}),

    # subscripts and slices
    ("sub/list_index", "{{ xs[0] }} {{ xs[-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[1:2] }}", {"xs": [1, 2, 3, 4]}),
    ("sub/string_index", "{{ s[0] }} {{ s[-1] }} {{ s[1:3] }} {{ s[::-1] }} {{ s[:100] }}", {"s": "héllo"}),
    ("sub/out_of_range_undefined", "[{{ xs[10] }}] [{{ s[10] }}] {{ xs[10] is defined }}", {"xs": [1], "s": "a"}),
    ("sub/messages", "{{ messages[0]['role'] }} {{ messages[0].role }} {{ messages[-1].content }} {{ messages[1:] | length }}", {}),
    ("sub/dict_key_forms", "{{ d['k'] }} {{ d.k }} {{ d['a-b'] }} {{ d[key] }}", {"d": {"k": 1, "a-b": 2}, "key": "k"}),
    ("sub/slice_var_bounds", "{{ xs[start:] }} {{ xs[:n] }} {{ xs[start:start + 1] }}", {"xs": [1, 2, 3], "start": 1, "n": 2}),
    ("sub/negative_slice_string", "{{ 'abcdef'[-3:] }} {{ 'abcdef'[:-3] }} {{ 'abcdef'[-1:0] }}", {}),
    ("sub/attr_on_none", "[{{ x.a }}][{{ x['a'] }}]", {"x": None}),

    # for loops
    ("loop/index_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }}|{% endfor %}", {}),
    ("loop/first_last", "{% for m in messages %}{% if loop.first %}[{% endif %}{{ m.role }}{% if loop.last %}]{% else %},{% endif %}{% endfor %}", {}),
    ("loop/previtem_nextitem", "{% for x in [1, 2, 3] %}({{ loop.previtem }},{{ loop.nextitem }}){% endfor %}", {}),
    ("loop/cycle", "{% for x in range(5) %}{{ loop.cycle('a', 'b') }}{% endfor %}", {}),
    ("loop/changed", "{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}", {}),
    ("loop/else_empty", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", {}),
    ("loop/else_not_taken", "{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}", {}),
    ("loop/else_after_filter_removes_all", "{% for x in [1, 3] if x is even %}{{ x }}{% else %}none even{% endfor %}", {}),
    ("loop/filtered_loop_last_length", "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ m.role }}{{ '.' if loop.last else ',' }}{% endfor %}", {}),
    ("loop/filtered_loop_first", "{% for x in [1, 2, 3, 4] if x > 2 %}{{ x }}{{ loop.first }}{% endfor %}", {}),
    ("loop/unpack_pairs", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }};{% endfor %}", {}),
    ("loop/over_string", "{% for c in 'hé' %}<{{ c }}>{% endfor %}", {}),
    ("loop/range", "{{ range(3) | list }} {{ range(1, 10, 4) | list }} {{ range(3, 0, -1) | list }} {% for i in range(2) %}{{ i }}{% endfor %}", {}),
    ("loop/range_print", "{{ range(3) }}", {}),
    ("loop/break", "{% for x in [1, 2, 3, 4] %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop/continue", "{% for x in [1, 2, 3, 4] %}{% if x is even %}{% continue %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop/break_last_flag", "{% for x in [1, 2, 3] %}{{ x }}{{ loop.last }}{% if x == 2 %}{% break %}{% endif %}{% endfor %}", {}),
    ("loop/nested_outer_loop", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in 'xy' %}{{ outer.index }}{{ b }}{{ loop.index }} {% endfor %}{% endfor %}", {}),
    ("loop/nested_loop_shadow", "{% for a in [1, 2] %}{% for b in [3] %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("loop/loop_var_after_loop", "{% for x in [1, 2] %}{% endfor %}[{{ x }}][{{ loop is defined }}]", {}),
    ("loop/over_undefined", "[{% for x in nope %}{{ x }}{% endfor %}]", {}),
    ("loop/over_none_error_free_guard", "{% for x in (maybe or []) %}{{ x }}{% endfor %}done", {"maybe": None}),
    ("loop/reverse_messages", "{% for m in messages[::-1] %}{{ (messages | length - 1) - loop.index0 }}{{ m.role[0] }} {% endfor %}", {}),
    ("loop/modify_loop_var", "{% for x in [1, 2] %}{% set x = x * 10 %}{{ x }},{% endfor %}", {}),
    ("loop/recursive", "{% for n in tree recursive %}{{ n.name }}{% if n.kids %}({{ loop(n.kids) }}){% endif %}{% endfor %}",
     {"tree": [{"name": "a", "kids": [{"name": "b", "kids": []}, {"name": "c"}]}, {"name": "d"}]}),

    # set, scoping, namespace
    ("set/top_level", "{% set x = 1 %}{% set y = x + 1 %}{{ x }}{{ y }}", {}),
    ("set/in_loop_does_not_leak", "{% set x = 'outer' %}{% for i in [1, 2] %}{% set x = 'inner' ~ i %}{{ x }} {% endfor %}{{ x }}", {}),
    ("set/in_loop_reads_outer_then_shadows", "{% set total = 0 %}{% for i in [1, 2, 3] %}{% set total = total + i %}{{ total }},{% endfor %}{{ total }}", {}),
    ("set/in_loop_conditional_per_iteration", "{% for i in [1, 2, 3] %}{% if i == 1 %}{% set y = 'one' %}{% endif %}[{{ y }}]{% endfor %}", {}),
    ("set/in_if_leaks", "{% if true %}{% set x = 'from if' %}{% endif %}{{ x }}", {}),
    ("set/overrides_context_var", "{% set messages = messages[1:] %}{{ messages | length }} {{ messages[0].role }}", {}),
    ("set/context_var_in_loop_scope", "{% for i in [1] %}{% set bos_token = 'X' %}{{ bos_token }}{% endfor %}{{ bos_token }}", {}),
    ("set/namespace_counter", "{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", {}),
    ("set/namespace_multiple_attrs", "{% set ns = namespace(a=1, b='x', c=none) %}{% set ns.d = [1] %}{{ ns.a }}{{ ns.b }}{{ ns.c }}{{ ns.d }}{{ ns.zz }}|", {}),
    ("set/namespace_repr", "{{ namespace(a=1, b='x') }}", {}),
    ("set/namespace_from_dict", "{% set ns = namespace({'k': 'v'}) %}{{ ns.k }}", {}),
    ("set/namespace_in_nested_loops", "{% set ns = namespace(found=false) %}{% for a in [1, 2] %}{% for b in [3, 4] %}{% if a * b == 8 %}{% set ns.found = a ~ 'x' ~ b %}{% endif %}{% endfor %}{% endfor %}{{ ns.found }}", {}),
    ("set/block_set", "{% set body %}Hello {{ 'world' }}!{% endset %}[{{ body }}] {{ body | length }}", {}),
    ("set/block_set_filtered", "{% set body | upper %}abc{% endset %}{{ body }}", {}),
    ("set/tuple_unpack", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = ['x', 'y'] %}{{ c }}{{ d }}", {}),
    ("set/with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("set/set_after_use", "[{{ x }}]{% set x = 1 %}[{{ x }}]", {}),

    # if / elif / else
    ("if/elif_chain", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}", {}),
    ("if/nested", "{% if true %}{% if false %}a{% else %}b{% endif %}{% endif %}", {}),
    ("if/undefined_falsy", "{% if nope %}yes{% else %}no{% endif %}{% if nope is defined and nope.x %}yes{% else %}no{% endif %}", {}),
    ("if/string_false_truthy", "{% if 'false' %}truthy{% endif %}", {}),
    ("if/add_generation_prompt_none", "{% if add_generation_prompt %}gen{% else %}nogen{% endif %}", {"add_generation_prompt": None}),

    # printing and undefined
    ("print/none_true_false", "{{ none }}|{{ true }}|{{ false }}|{{ x }}", {"x": None}),
    ("print/undefined_empty", "[{{ nope }}]", {}),
    ("print/undefined_concat_tilde", "[{{ nope ~ 'x' }}]", {}),
    ("print/undefined_attr_of_defined", "[{{ messages[0].nope }}][{{ messages[0]['nope'] }}]", {}),
    ("print/undefined_compare", "{{ nope == none }} {{ nope == '' }} {{ nope is none }}", {}),
    ("print/undefined_in_list_repr", "{{ [nope] | length }}", {}),
    ("print/message_dict_repr", "{{ messages[1] }}", {}),
    ("print/nested_repr", "{{ {'a': [1, {'b': 'c'}], 'd': (1, 2)} }}", {}),
    ("print/float_formats", "{{ 1 / 4 }} {{ 1e-5 }} {{ 0.0001 }} {{ 1e15 + 0.5 }} {{ 3.0 * 1e16 }} {{ 10 / 3 }} {{ 2 / 3 * 3 }}", {}),
    ("print/markup_from_escape", "{{ ('<b>' | e) ~ '<i>' }}", {}),

    # macros
    ("macro/basic", "{% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', '?') }} {{ greet(name='c', punct='.') }}", {}),
    ("macro/whitespace", "{%- macro item(x) -%}\n  <{{ x }}>\n{%- endmacro -%}\n{{ item(1) }}\n{{ item(2) }}", {}),
    ("macro/recursive", "{% macro depth(x) %}{% if x is mapping %}{ {% for k, v in x.items() %}{{ k }}: {{ depth(v) }} {% endfor %}}{% else %}{{ x }}{% endif %}{% endmacro %}{{ depth({'a': {'b': 1}, 'c': 2}) }}", {}),
    ("macro/reads_context", "{% macro first_role() %}{{ messages[0].role }}{% endmacro %}{{ first_role() }}", {}),
    ("macro/result_filtered", "{% macro m() %}  padded  {% endmacro %}[{{ m() | trim }}] {{ m() | length }}", {}),
    ("macro/varargs_kwargs", "{% macro f(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, 3, k='v') }}", {}),
    ("macro/call_block", "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}inner {{ 1 + 1 }}{% endcall %}", {}),
    ("macro/default_arg_none", "{% macro f(x=none) %}{{ x is none }}{% endmacro %}{{ f() }} {{ f(1) }}", {}),

    # transformers globals and extensions
    ("glob/strftime_now_formats", "{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%B %d, %Y') }}|{{ strftime_now('%A %H:%M') }}|{{ strftime_now('%-d %b') }}", {}),
    ("glob/strftime_now_defined", "{{ strftime_now is defined }} {{ raise_exception is defined }} {{ namespace is defined }}", {}),
    ("glob/raise_exception_not_reached", "{% if false %}{{ raise_exception('never') }}{% endif %}ok", {}),
    ("glob/generation_tag", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}", {}),
    ("glob/generation_tag_ws", "a\n  {% generation %}\n  b\n  {% endgeneration %}\nc", {}),
    ("glob/unknown_filter_in_untaken_if", "{% if false %}{{ 'x' | no_such_filter }}{% endif %}ok", {}),
    ("glob/joiner", "{% set comma = joiner(', ') %}{% for x in 'abc' %}{{ comma() }}{{ x }}{% endfor %}", {}),
]

# Cases jinja2 refuses (at compile time or while rendering). (name, template, extra context)
ERRORS = [
    ("err/raise_exception", "a{{ raise_exception('Conversation roles must alternate') }}b", {}),
    ("err/raise_exception_in_loop", "{% for m in messages %}{% if m.role == 'assistant' %}{{ raise_exception('no assistants') }}{% endif %}{{ m.role }}{% endfor %}", {}),
    ("err/unknown_filter", "{{ 'x' | no_such_filter }}", {}),
    ("err/unknown_test", "{{ 'x' is no_such_test }}", {}),
    ("err/unknown_tag", "{% frobnicate %}", {}),
    ("err/unclosed_if", "{% if true %}x", {}),
    ("err/unclosed_for", "{% for x in [1] %}x", {}),
    ("err/unexpected_endfor", "x{% endfor %}", {}),
    ("err/mismatched_end", "{% if true %}x{% endfor %}", {}),
    ("err/unclosed_expression", "{{ 'a' ", {}),
    ("err/unclosed_string", "{{ 'abc }}", {}),
    ("err/empty_expression", "{{ }}", {}),
    ("err/unbalanced_paren", "{{ (1 + 2 }}", {}),
    ("err/break_outside_loop", "{% break %}", {}),
    ("err/attr_of_undefined", "{{ nope.attr }}", {}),
    ("err/item_of_undefined", "{{ nope['k'] }}", {}),
    ("err/attr_of_missing_key", "{{ messages[0].tool_calls.name }}", {}),
    ("err/attr_of_none_attr", "{{ x.a.b }}", {"x": None}),
    ("err/undefined_plus_string", "{{ nope + 'x' }}", {}),
    ("err/string_plus_undefined", "{{ 'x' + nope }}", {}),
    ("err/undefined_tojson", "{{ nope | tojson }}", {}),
    ("err/call_undefined", "{{ nope() }}", {}),
    ("err/int_div_zero", "{{ 1 // 0 }}", {}),
    ("err/true_div_zero", "{{ 1 / 0 }}", {}),
    ("err/mod_zero", "{{ 1 % 0 }}", {}),
    ("err/str_plus_int", "{{ 'a' + 1 }}", {}),
    ("err/int_plus_str", "{{ 1 + '1' }}", {}),
    ("err/compare_int_str", "{{ 1 < 'a' }}", {}),
    ("err/unpack_mismatch", "{% for a, b in [1, 2] %}{% endfor %}", {}),
    ("err/unsafe_dunder_chain", "{{ ''.__class__.__mro__ }}", {}),
    ("err/unsafe_globals", "{{ raise_exception.__globals__['os'] }}", {}),
    ("err/immutable_list_append", "{% set xs = [] %}{% set _ = xs.append(1) %}{{ xs }}", {}),
    ("err/immutable_dict_update", "{% set d = {} %}{{ d.update({'a': 1}) }}", {}),
    ("err/immutable_context_pop", "{{ messages.pop() }}", {}),
    ("err/namespace_underscore_kwarg", "{% set ns = namespace(_x=1) %}", {}),
    ("err/namespace_underscore_set", "{% set ns = namespace() %}{% set ns._x = 1 %}", {}),
    ("err/set_attr_on_dict", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("err/defined_test_on_attr_of_undefined", "{% if nope.x is defined %}yes{% endif %}", {}),
    ("err/range_too_big", "{{ range(1000000) | length }}", {}),
    ("err/macro_too_many_args", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, 2) }}", {}),
    ("err/json_of_namespace", "{{ namespace(a=1) | tojson }}", {}),
    ("err/filter_on_wrong_type", "{{ 5 | join(',') }}", {}),
    ("err/length_of_none", "{{ none | length }}", {}),
    ("err/length_of_number", "{{ 5 | length }}", {}),
]
# For-else runs unless a pass reached the end of its body; a set block keeps its own names; ".0" is an item.
FEATURES += [
    ("loop/else_after_break", "{% for i in [1, 2] %}{% break %}{% else %}E{% endfor %}", {}),
    ("loop/else_after_every_continue", "{% for i in [1, 2] %}{% continue %}x{% else %}E{% endfor %}", {}),
    ("loop/no_else_after_a_finished_pass", "{% for i in [1, 2] %}{{ i }}{% if i == 2 %}{% break %}{% endif %}{% else %}E{% endfor %}", {}),
    ("set/block_scope", "{% set x %}{% set y = 1 %}a{% endset %}[{{ x }}][{{ y }}]", {}),
    ("expr/dot_integer_is_item", "{{ [5, 6].1 }} {{ messages.0.role }}", {"messages": [{"role": "user", "content": "hi"}]}),
    ("expr/dot_integers_lexed_as_float", "{{ x.1.0 }}", {"x": [[1, 2], [3, 4]]}),
]
# Dict keys other than strings (Seed-OSS builds its thinking-budget table with integer keys and walks it sorted).
SEED_BUDGET = ("{%- set budget = {0: 0, 512: 128, 1024: 256, 2048: 512, 4096: 512, 8192: 1024, 16384: 1024} -%}"
               "{%- set ns = namespace(interval=none) -%}{%- for k, v in budget | dictsort -%}"
               "{%- if ns.interval is none and k >= thinking_budget -%}{%- set ns.interval = v -%}{%- endif -%}"
               "{%- endfor -%}{{ ns.interval if ns.interval is not none else budget[16384] }}")
FEATURES += [
    ("dict/integer_keys_seed_oss_budget", SEED_BUDGET, {"thinking_budget": 700}),
    ("dict/integer_keys_seed_oss_budget_top", SEED_BUDGET, {"thinking_budget": 100000}),
    ("dict/integer_keys_print_and_items", "{% set d = {1: 'a', 2: 'b'} %}{{ d }} {{ d[2] }} {{ d.items() | list }} {{ d.get(1) }} {{ 1 in d }} {{ '1' in d }}", {}),
    ("dict/integer_keys_iterate_and_keys", "{% set d = {3: 'c', 1: 'a'} %}{% for k in d %}{{ k + 1 }},{% endfor %}{{ d.keys() | list }} {{ d | dictsort }}", {}),
    ("dict/number_keys_are_one", "{% set d = {1: 'int', 1.0: 'float', true: 'bool'} %}{{ d }} {{ d[1.0] }}", {}),
    ("dict/mixed_keys_tojson", "{{ {1: 'a', 'b': 2, none: 3, true: 4, 2.5: 5} | tojson }}", {}),
    ("dict/tuple_key", "{% set d = {(1, 2): 'pair'} %}{{ d[(1, 2)] }} {{ d }}", {}),
    ("dict/missing_integer_key_is_undefined", "[{{ {1: 'a'}[2] }}] {{ {1: 'a'}[2] is defined }}", {}),
]
FEATURES += [
    ("dict/attribute_path_digits_are_integer_keys", "{{ [{1: 'x'}, {1: 'y'}] | map(attribute='1') | list }} {{ [{'a': {1: 'x'}}] | map(attribute='a.1') | list }} "
     "{{ [{'1': 'x'}] | map(attribute='1') | list }} {{ [{1: 3}, {1: 4}] | sum(attribute='1') }} {{ [[5, 6]] | map(attribute='1') | list }}", {}),
    ("dict/dict_global_replaces", "{% set d = dict({'a': 1}, a=2) %}{{ d }} {{ d.a }} {{ d | length }} {{ dict([(1, 2), ('b', 3)]) }}", {}),
    ("dict/namespace_replaces", "{% set ns = namespace({'a': 1}, a=2) %}{{ ns.a }}", {}),
]
ERRORS += [
    ("err/list_as_dict_key", "{{ {[1]: 'a'} }}", {}),
]
ERRORS += [
    ("err/list_in_dict", "{{ [1] in {1: 2} }}", {}),
    ("err/dict_get_list", "{{ {1: 2}.get([1]) }}", {}),
    ("err/tuple_holding_list_as_key", "{{ {(1, [2]): 3} }}", {}),
]
# str methods' optional start / end (code points, negative from the end, start past the text finds nothing).
FEATURES += [
    ("str/find_start_end", "{% set s = 'héllo wörld' %}{{ s.find('o', 5) }} {{ s.find('o', 5, 8) }} {{ s.rfind('l', 0, -3) }} "
     "{{ s.find('', 11) }} {{ s.find('', 12) }} {{ s.find('l', -4) }} {{ s.rfind('o', -100, 5) }}", {}),
    ("str/count_start_end", "{% set s = 'abcabcabc' %}{{ s.count('abc', 1) }} {{ s.count('abc', 0, 6) }} {{ s.count('', 2, 5) }} "
     "{{ s.count('', 10) }} {{ s.count('c', -4, -1) }}", {}),
    ("str/startswith_endswith_start_end", "{% set s = 'assistant: hi' %}{{ s.startswith('hi', 11) }} {{ s.startswith('sis', 2) }} "
     "{{ s.endswith('assist', 0, 6) }} {{ s.endswith(('x', 'ant'), 0, 9) }} {{ s.startswith('', 13) }} {{ s.startswith('', 14) }}", {}),
    ("str/index_start", "{{ 'a-b-c'.index('-', 2) }} {{ 'a-b-c'.rindex('-', 0, 3) }}", {}),
]
ERRORS += [
    ("err/index_not_in_window", "{{ 'a-b-c'.index('-', 4) }}", {}),
]
# Printing `''.__class__` alone is not an error: the sandbox returns an undefined that prints as ''.
FEATURES.append(("sandbox/unsafe_attr_prints_empty", "[{{ ''.__class__ }}][{{ messages.__len__ }}]", {}))
FEATURES.append(("sandbox/format_dunder_prints_empty", "[{{ '{0.__class__}'.format('x') }}]", {}))
FEATURES.append(("sandbox/safe_len_via_filter", "{{ messages | length }}", {}))
# Found on real templates (llama.cpp's and vLLM's template folders): Hermes / Command-R+ tool templates look up
# a type map with an undefined key; firefunction's filter block; functionary's "..."|safe + tojson; VLM2Vec's
# "{i:d}" format spec.
FEATURES += [
    ("dict/undefined_key_is_undefined", "{% set d = {'a': 1} %}{{ d[x] is defined }}|{{ x in d }}|{{ d[[1]] is defined }}|[{{ d[x] }}]", {}),
    ("dict/type_map_with_missing_type", "{% set m = {'string': 'str'} %}{% for p in params %}{{ m[p.type] if p.type in m else 'Any' }},{% endfor %}",
     {"params": [{"type": "string"}, {"type": "array"}, {}]}),
    ("filter_block/trim", "{%- filter trim -%}\n  abc  \n{%- endfilter -%}|", {}),
    ("filter_block/chain_and_arguments", "{% filter upper | replace('A', 'z') %}abc{{ 1 }}{% endfilter %}|{% filter indent(2, true) %}a\nb{% endfilter %}", {}),
    ("filter_block/own_scope", "{% set x = 1 %}{% filter upper %}{% set x = 2 %}{{ x }}{% endfilter %}{{ x }}", {}),
    ("filter_block/in_a_loop", "{% for m in messages %}{% filter trim %}  {{ m.role }}  {% endfilter %};{% endfor %}",
     {"messages": [{"role": "user"}, {"role": "assistant"}]}),
    ("markup/plus_escapes_the_other_side", "{{ 'Use '|safe + t|tojson }}|{{ 'a&' + ('<b>'|safe) }}|{{ ('x'|safe ~ '<') }}|{{ '<'|e|e }}|{{ 5|safe }}",
     {"t": {"d": "it's <x>"}}),
    ("markup/percent_escapes_arguments", "{{ ('%s<%d' | safe) % ('<x>', 3) }}|{{ '<'|forceescape }}|{{ ('<'|safe)|forceescape }}", {}),
    ("markup/name_plus_tojson_safe", "{{ name + '[ARGS]' + args|tojson|safe }}", {"name": "f<&>", "args": {"a": 1}}),
    ("str_format/specs", "{{ '<|image_{i:d}|>'.format(i=1) }} {{ '{:>8}|{:<6}|{:^7}|'.format('ab', 3, 2.5) }} {{ '{:*^11}'.format('mid') }}", {}),
    ("str_format/numbers", "{{ '{:08.3f} {:+d} {: d} {:,} {:_} {:x} {:#X} {:#b} {:o}'.format(3.14159, 5, 7, 1234567, 1234567, 255, 255, 5, 8) }} "
     "{{ '{:.2%} {:e} {:.3E} {:g} {:.3g} {:G}'.format(0.1234, 12345.678, 0.000123, 1e-7, 123456, 1e20) }} "
     "{{ '{:,.2f}'.format(1234567.891) }} {{ '{:=+10d}'.format(42) }} {{ '{:010}'.format(-3.5) }} {{ '{:c}'.format(65) }} "
     "{{ '{:.0f}'.format(2.5) }} {{ '{:.3}'.format(2.0) }} {{ '{:10}'.format(1.5) }} {{ '{:5}'.format(true) }} {{ '{}'.format(true) }}", {}),
    ("str_format/fields_and_conversions", "{{ '{0[a]} {0[b][1]} {1.x} [{0[zz]}] [{0.b.5}]'.format(d, d) }} {{ '{!r} {!s} {!a}'.format('é', 'x', 'é') }} "
     "{{ '{:.3}'.format('abcdef') }} {{ '{m[role]}: {m[content]}'.format(m=messages[0]) }}",
     {"d": {"a": 1, "b": [5, 6], "x": "y"}, "messages": [{"role": "user", "content": "hi"}]}),
]
# Blocks and globals rarer in chat templates (the probe's single-feature cases), and generator semantics:
# map / select / unique / batch / reverse give generators in jinja2 (always true, no len, consumed once).
TREE = [{"name": "a", "kids": [{"name": "b", "kids": []}, {"name": "c"}]}, {"name": "d", "kids": []}]
FEATURES += [
    ("block/with_scopes", "{% set a = 5 %}{% with a = 1, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}{% with %}{% set z = 1 %}{% endwith %}[{{ z }}]", {}),
    ("block/call_with_arguments", "{% macro list(items) %}{% for i in items %}<{{ caller(i, loop.index) }}>{% endfor %}{% endmacro %}"
     "{% call(item, n) list(['x', 'y']) %}{{ n }}:{{ item | upper }}{% endcall %}", {}),
    ("block/call_sees_the_loop", "{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% for m in messages %}{% call wrap() %}{{ m.role }}{% endcall %}{% endfor %}",
     {"messages": [{"role": "user"}, {"role": "assistant"}]}),
    ("macro/varargs_kwargs_and_defaults", "{% macro f(a, b=a * 2) %}{{ a }},{{ b }},{{ varargs }},{{ kwargs }}{% endmacro %}{{ f(1) }}|{{ f(1, 2, 3, k='v') }}|{{ f(b=4, a=3) }}", {}),
    ("macro/defined_in_a_loop_sees_the_loop", "{% for x in [1, 2] %}{% macro m() %}{{ x }}{% endmacro %}{{ m() }}{% endfor %}", {}),
    ("macro/caller_without_call_is_undefined", "{% macro m() %}[{{ caller is defined }}]{% endmacro %}{{ m() }}", {}),
    ("loop/changed_and_depth", "{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}"
     "|{% for n in tree recursive %}{{ n.name }}{{ loop.depth }}{% if n.kids %}({{ loop(n.kids) }}){% endif %}{% endfor %}", {"tree": TREE}),
    ("loop/recursive_with_filter_and_else", "{% for n in tree if n.name != 'c' recursive %}{{ n.name }}{% if n.kids is defined %}[{{ loop(n.kids) }}]{% endif %}{% else %}-{% endfor %}",
     {"tree": TREE}),
    ("glob/joiner_and_cycler", "{% set comma = joiner(' | ') %}{% for x in 'abc' %}{{ comma() }}{{ x }}{% endfor %};"
     "{% set c = cycler('odd', 'even') %}{% for x in range(3) %}{{ c.next() }}/{{ c.current }} {% endfor %}{{ c.reset() }}{{ c.current }}", {}),
    ("filter/batch_slice_truncate", "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 0) | list }} {{ range(7) | slice(3) | list }} "
     "{{ range(7) | slice(3, 'x') | list }} {{ 'The quick brown fox jumps over the lazy dog' | truncate(20) }}|{{ ('abcdefghij' * 3) | truncate(12, true) }}|"
     "{{ 'short' | truncate(3, leeway=2) }}|{{ 'a b c d e f' | truncate(9, end='..', leeway=0) }}", {}),
    ("set/block_with_filters", "{% set body | trim | upper %}  abc  {% endset %}[{{ body }}]", {}),
    ("generator/truthy_and_consumed", "{{ 'yes' if [1, 2] | select('eq', 5) else 'no' }}|{{ 'T' if messages | selectattr('role', 'eq', 'tool') else 'F' }}|"
     "{{ 'y' if [] | map('upper') else 'n' }}|{{ 'y' if [] | reverse else 'n' }}|{% set r = messages | map(attribute='role') %}{{ r | join(',') }}/{{ r | join(',') }}|"
     "{{ (messages | selectattr('role', 'eq', 'user'))[0] is defined }}|{{ (messages | map(attribute='role')) is sequence }}|{{ ([1] | map('int')) == [1] }}|"
     "{{ [3, 1, 3] | unique | list }} {{ [1, 2] | reverse | list }} {{ (messages | map(attribute='role') | first) }} {{ {'a': 1} | items | list }}",
     {"messages": [{"role": "system"}, {"role": "user"}, {"role": "assistant"}]}),
    ("str/methods_more", "{{ 'a\nb'.splitlines(true) }} [{{ 'a'.center(5) }}][{{ 'ab'.center(5, '*') }}][{{ 'a'.ljust(3, '.') }}][{{ 'a'.rjust(3) }}] "
     "{{ 'a\tb\tc'.expandtabs(4) }} {{ 'Hello World'.istitle() }} {{ 'hello World'.istitle() }} {{ '12'.isnumeric() }} {{ '½'.isnumeric() }} "
     "{{ '½'.isdecimal() }} {{ '12'.isdecimal() }} {{ '²'.isdigit() }} {{ d.copy() }} {{ [1, 2].copy() }}", {"d": {"k": 1}}),
    ("str/percent_mapping", "{{ '%(a)s-%(b)05.1f' % {'a': 'x', 'b': 2.25} }}|{{ '%(a)s'|format(a=1) }}|{{ '%s-%d' | format('a', 3) }}", {}),
    ("filter/int_base_prefix_and_sum_start", "{{ '0b11' | int(base=2) }} {{ '0x1A' | int(0, 16) }} {{ '-0o17' | int(base=8) }} {{ [1, 2] | sum(start=10) }}", {}),
    ("test/odd_floats_escaped_and_tuples", "{{ 3.0 is odd }} {{ 2.5 is odd }} {{ 4.0 is even }} {{ 'a'|safe is escaped }} {{ 'a' is escaped }} {{ (1,) + (2,) }} {{ nope is sequence }}", {}),
]
# From the review of the above: closures see their scopes as they are when called; loop control leaves
# filter and set blocks; Python's format-spec corners; int() bases; '%x' of negatives; Markup % mapping.
FEATURES += [
    ("macro/recursive_inside_with", "{% with %}{% macro f(n) %}{% if n %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}{% endwith %}", {}),
    ("macro/calls_one_defined_later", "{% for i in [1] %}{% macro a() %}A{{ b() }}{% endmacro %}{% macro b() %}B{% endmacro %}{{ a() }}{% endfor %}", {}),
    ("macro/sees_a_later_set", "{% for i in [1, 2] %}{% macro m() %}{{ y }}{% endmacro %}{% set y = i * 10 %}{{ m() }}{% endfor %}", {}),
    ("loop/break_inside_filter_and_set_blocks", "{% for i in [1, 2] %}{% filter upper %}a{% if i == 1 %}{% break %}{% endif %}b{% endfilter %}c{% endfor %}|"
     "{% for i in [1, 2, 3] %}{% set s %}{{ i }}{% if i == 2 %}{% continue %}{% endif %}{% endset %}{{ s }}{% endfor %}", {}),
    ("str_format/spec_corners", "{{ '{:<05}|{:010,}|{:05}|{:.3}|{:10.4}|{:.1}|{:5c}|{:z.1f}|{:#x}|{:_x}|{:.0%}|{:^+9.2e}'.format(5, 5, 'ab', 100.0, -1234.5, 1.5, 65, -0.04, 255, 65535, 0.256, 12345.678) }} "
     "{{ '{0[0]}{0[1]}'.format('ab') }} {{ '{:.25f}'.format(0.1) }}", {}),
    ("filter/int_base_zero_and_prefixes", "{{ '0o17' | int(base=0) }} {{ '0b11' | int(base=0) }} {{ '010' | int(base=0) }} {{ '0x1f' | int(base=0) }} "
     "{{ '-0x10' | int(0) }} {{ '0x10' | int(base=16) }} {{ '1e3' | int }} {{ '0x1A' | int }}", {}),
    ("str/percent_negative_hex_and_char", "{{ '%x|%5x|%-5x|%05x|%#x|%o|%c|%c' % (-5, -5, -5, -5, -26, -8, 255, 'z') }}", {}),
    ("markup/percent_mapping", "{{ ('%(a)s|%(b)d' | safe) % {'a': '<', 'b': 3} }}", {}),
    ("generator/in_consumes", "{% set g = [1, 2, 3] | map('string') %}{{ '2' in g }}{{ g | list }}", {}),
]
ERRORS += [
    ("err/truncate_length_below_end", "{{ 'abc' | truncate(1) }}", {}),
    ("err/format_z_on_int", "{{ '{:z}'.format(5) }}", {}),
]
ERRORS += [
    ("err/macro_too_many_arguments", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, 2) }}", {}),
    ("err/macro_unknown_keyword", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(b=1) }}", {}),
    ("err/macro_argument_twice", "{% macro f(a) %}{{ a }}{% endmacro %}{{ f(1, a=2) }}", {}),
    ("err/call_block_into_a_macro_without_caller", "{% macro f() %}x{% endmacro %}{% call f() %}y{% endcall %}", {}),
    ("err/generator_length", "{{ messages | selectattr('role', 'eq', 'user') | length }}", {"messages": [{"role": "user"}]}),
    ("err/generator_tojson", "{{ ['a'] | map('upper') | tojson }}", {}),
    ("err/generator_last", "{{ [1, 2] | select | last }}", {}),
    ("err/generator_plus_list", "{{ ([1] | map('int')) + [2] }}", {}),
    ("err/truncate_shorter_than_end", "{{ 'abcdefghijkl' | truncate(2, leeway=0) }}", {}),
    ("err/percent_mapping_without_a_mapping", "{{ '%(a)s' % 5 }}", {}),
]
ERRORS += [
    ("err/format_spec_of_wrong_type", "{{ '{:d}'.format('x') }}", {}),
    ("err/format_mixed_numbering", "{{ '{0}{}'.format(1, 2) }}", {}),
    ("err/format_single_close_brace", "{{ 'a}b'.format() }}", {}),
    ("err/format_spec_on_none", "{{ '{:>5}'.format(none) }}", {}),
    ("err/format_precision_on_int", "{{ '{:.2d}'.format(3) }}", {}),
    ("err/unknown_filter_in_block", "{% filter nosuchfilter %}x{% endfilter %}", {}),
]


def base_context():
    return chat(BASE_MESSAGES, True, bos="<s>", eos="</s>")


def feature_context(extra):
    ctx = base_context()
    del ctx["tools"], ctx["documents"]
    ctx.update(extra)
    return ctx


# ---------------------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------------------

def strip_undefined(ctx):
    """Context entries set to jinja2.Undefined stand for 'leave the key out' (an undefined variable)."""
    return {k: v for k, v in ctx.items() if v is not jinja2.Undefined}


PROBLEMS = []


def make_case(env, name, template, context, must_fail=None):
    context = strip_undefined(context)
    ok, result = render(env, template, context)
    if must_fail is not None and ok == must_fail:
        PROBLEMS.append(f"case {name}: expected {'an error' if must_fail else 'output'}, got {result!r}")
    case = {"name": name, "template": template, "context": context}
    if ok:
        case["expected"] = result
    else:
        case["error"] = True
        case["error_type"] = result
    return case


def build_cases(models_dir):
    env = make_env()
    cases = []
    for name, template, ctx in realistic_cases(models_dir):
        cases.append(make_case(env, "chat/" + name, template, ctx))
    for name, template, extra in FEATURES:
        cases.append(make_case(env, name, template, feature_context(extra), must_fail=False))
    for name, template, extra in ERRORS:
        cases.append(make_case(env, name, template, feature_context(extra), must_fail=True))
    if PROBLEMS:
        raise SystemExit("\n".join(PROBLEMS))
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


def check_with_transformers(cases):
    run = transformers_renderer()
    bad = 0
    for c in cases:
        ok, result = run(c["template"], c["context"])
        mine = (True, c["expected"]) if "expected" in c else (False, c["error_type"])
        if (ok, result) != mine:
            bad += 1
            print(f"MISMATCH {c['name']}: transformers {ok, result!r} vs here {mine!r}", file=sys.stderr)
    print(f"transformers check: {len(cases) - bad}/{len(cases)} agree", file=sys.stderr)
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "models"),
                    help="folder with DeepSeek-R1-Distill-*/chat_template.jinja")
    ap.add_argument("-o", "--out", help="write here instead of stdout")
    ap.add_argument("--check-transformers", action="store_true",
                    help="also render with transformers' compiled template and compare")
    args = ap.parse_args()
    cases = build_cases(args.models)
    if args.check_transformers and not check_with_transformers(cases):
        raise SystemExit(1)
    doc = {
        "generator": "make_jinja_cases.py",
        "jinja2_version": jinja2.__version__,
        "environment": "ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols]) "
                       "+ transformers' tojson/raise_exception/strftime_now/dict/namespace and {% generation %}",
        "strftime_now_date": FIXED_DATE.strftime("%Y-%m-%d"),
        "strftime_now_time": FIXED_DATE.strftime("%H:%M:%S"),
        "cases": cases,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
