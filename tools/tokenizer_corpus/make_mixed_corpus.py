#!/usr/bin/env python3
"""Write mixed.jsonl: project-written documents (one JSON string per line) that stress the tokenizer:
code, LaTeX, CJK, emoji, whitespace runs of every kind, numbers, contractions, NFC-sensitive text.
Deterministic (fixed seed); the committed mixed.jsonl is its output.

  python3 tools/tokenizer_corpus/make_mixed_corpus.py > tools/tokenizer_corpus/mixed.jsonl
"""
import json
import random

SNIPPETS = [
    # code
    "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "#include <vector>\nint main() {\n\tstd::vector<int> v{1, 2, 3};\n\tfor (auto& x : v) x *= 2;  // double\n\treturn 0;\n}\n",
    "fn main() {\n    let xs: Vec<u64> = (0..10).map(|x| x * x).collect();\n    println!(\"{:?}\", xs);\n}\n",
    "SELECT id, COUNT(*) AS n FROM t WHERE x >= 10 GROUP BY id HAVING n > 2;\n",
    "    \n\n\tif (a&&b||!c) { x->y = z[i++]; }\r\n\r\nelse {}\n",
    "const f = async (x) => { await fetch(`/api/${x}?q=1&r=2`); };\n",
    "<html><body class=\"main\">&nbsp;&lt;tag&gt;</body></html>",
    "x = [1,2,3]; y = {'a': 1, \"b\": 2}; print(f'{x!r:>10}')",
    # LaTeX
    "$\\frac{1}{2} + \\sqrt{x^2+y^2} = \\int_0^\\infty e^{-t^2}\\,dt$",
    "\\begin{align*}\n  a^2 + b^2 &= c^2 \\\\\n  \\sum_{k=1}^{n} k &= \\frac{n(n+1)}{2}\n\\end{align*}",
    "Let $\\triangle ABC$ have $\\angle A = 60^\\circ$ and $\\overline{BC} = 7$. Find $\\lfloor 100\\cos B \\rfloor$.",
    "\\boxed{\\dfrac{3\\pi}{4}} \\quad \\text{and} \\quad \\mathbb{Z}/n\\mathbb{Z}",
    # CJK and other scripts
    "我想在apple工作1314151天～今天天气很好，我们去公园散步吧。",
    "日本語のテキスト：東京は日本の首都です。カタカナ、ひらがな、漢字。",
    "한국어 문장입니다. 안녕하세요! 반갑습니다.",
    "Ελληνικά: Γειά σου Κόσμε. Русский: Привет, мир! עברית: שלום עולם. العربية: مرحبا بالعالم",
    "हिन्दी में एक वाक्य। ภาษาไทยง่ายนิดเดียว កាន់តែពិសេសអាច",
    # emoji
    "🚀 (normal) 😶‍🌫️ (zwj) ✅ 👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 🇫🇷🇯🇵 1️⃣ keycap 👍🏽 skin",
    "🦙🦙🦙 llama.cpp 🤖🤖 robots ❤️‍🔥 🧑🏿‍💻",
    # numbers
    "3 33 333 3333 33333 333333 3333333 3.3 3..3 3...3 1,234,567.89 -0.5e-10 0x1F 1e100 ١٢٣ ४५६ Ⅻ ½ ²³",
    "The year 2024 had 366 days; 10^9+7 = 1000000007; π ≈ 3.14159265358979.",
    # contractions
    "I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL",
    "DON'T WON'T isn'T we'RE they'LL she'D it'S ’s curly 'ſ long-s 'Ｓ",
    "'ſab 'Sab 'Ss 'REx 'ſT 'VEry 'LLama 'Dd 'Mm 'tT ''s '''re 'KELVIN'\u212aab",
    "a\x1c\x1cb \x85x \u2028 x a \u00a0 b \u200bx \u2029\n \u000b\u000c\n y \u00a0\n",
    # NFC-sensitive
    "Cafe\u0301 vs Café; A\u030a vs Å; \u1e9b\u0323; \uac00 vs \u1100\u1161; e\u0300\u0301\u0302 ﬁ ligature Ω Ω",
    # whitespace
    "a  b   c    d     e\t\tf\t \tg\u00a0h\u00a0\u00a0i\u3000j\u2003k\u2028l\u2029m\u0085n\u000bo\u000cp\x1cq\x1fr",
    "\n\n\n   \n\t\n \r\n\r\n  x  \n",
    "line1\r\nline2\rline3\n\n\n\n\nline4          \n          line5",
]

WORDS = ["the", "The", "THE", "integer", "sum", "of", "all", "primes", "less", "than", "n", "x", "y",
         "función", "naïve", "Führer", "straße", "œuvre", "数学", "問題", "答え", "😀", "…", "—", "“quoted”",
         "(", ")", "[", "]", "{", "}", "$", "\\", "\\frac", "^", "_", "=", "+", "-", "*", "/", "<", ">",
         "''", "'s", "'T", "'ll", "'", "\"", "!", "?", ".", ",", ";", ":", "#", "@", "%", "&", "|", "~", "`",
         "0", "7", "42", "1234", "98765432", "3.14", "2^{10}", "<think>", "</think>", "<｜User｜>",
         "<｜Assistant｜>", "<｜end▁of▁sentence｜>", "<|im_start|>", "<|eot_id|>", "<thin", "<think", "</think>>"]
SPACES = [" ", " ", " ", " ", "  ", "   ", "\t", "\n", "\n\n", " \n", "\n ", "\r\n", "\u00a0", "\u3000",
          "        ", "\t\t", " \t ", "", "", "\u2009", "\u200b", "\x1c"]


def random_doc(rng):
    parts = []
    for _ in range(rng.randint(5, 80)):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SPACES))
    return "".join(parts)


def random_unicode_doc(rng):
    # Code points from many blocks: letters, marks, digits, symbols, spaces.
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
              (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x1E00, 0x1EFF), (0x2000, 0x206F),
              (0x2070, 0x209F), (0x20A0, 0x20CF), (0x2100, 0x218F), (0x2190, 0x23FF), (0x2460, 0x24FF),
              (0x3000, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAC7F), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F),
              (0x1D400, 0x1D4FF), (0x10000, 0x1007F)]
    out = []
    for _ in range(rng.randint(5, 60)):
        lo, hi = rng.choice(ranges)
        cp = rng.randint(lo, hi)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        out.append(chr(cp))
    return "".join(out)


def main():
    rng = random.Random(20250129)
    docs = list(SNIPPETS)
    docs += [random_doc(rng) for _ in range(400)]
    docs += [random_unicode_doc(rng) for _ in range(300)]
    docs += [" " * n + "x" for n in range(0, 40, 3)] + ["\n" * n + "y" for n in range(0, 20, 2)]
    docs += ["x" + " " * n for n in range(1, 20, 4)] + [" " * 100, "\t" * 33, "\n" * 50, "-" * 200, "=" * 77]
    docs += ["9" * n for n in range(1, 30)]
    # Long single words (beyond the BPE word cache's length limit).
    docs += ["abc" * 700, "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(3000)),
             "数" * 500, "🙂" * 300]
    for d in docs:
        print(json.dumps(d, ensure_ascii=True))


if __name__ == "__main__":
    main()
