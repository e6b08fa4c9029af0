#!/usr/bin/env python3
"""Writes realistic R1-style (gold, response) pairs whose grading turns on answer extraction, as JSONL.

Every case carries `expected`: the verdict a careful human grader gives under the DeepSeek-R1 protocol (the
final answer is graded; a correct one accepted, a wrong one rejected), or null where the protocol does not
settle it (a 5-digit decimal for a fraction, a box only inside an unfinished <think>). Deterministic (seeded).
tools/extraction_agreement.py grades them with r1eval (and Math-Verify when it is installed).

usage: python3 tools/extraction_cases.py > cases.jsonl
"""
import json
import random
import sys

rng = random.Random(1234)

# ---------------------------------------------------------------------------------------------- reasoning
FILLER_STEPS = [
    "Let me restate the problem. We are given the numbers {n1}, {n2} and {n3}, and we need to find the requested quantity.",
    "First, I'll set up the equation. If $a = {n1}$ and $b = {n2}$, then $a + b = {s}$ and $ab = {p}$.",
    "Hmm, wait. Let me double-check that step: ${n1} \\cdot {n2} = {p}$, yes that's right.",
    "Maybe I should try a different approach. Suppose instead that the answer is ${decoy}$; then plugging back in gives a contradiction, so that's not it.",
    "Let me compute the discriminant: $\\Delta = b^2 - 4ac = {n2}^2 - 4 \\cdot {n1} \\cdot {n3}$.",
    "Alternatively, think of it geometrically. The distance between the points is $\\sqrt{{({n1})^2 + ({n2})^2}}$.",
    "Okay, so I think I've got it, but let me verify with a small case first: with $n = 2$ we get $4$, which matches.",
    "Wait, I should be careful about the sign here. $-({n3}) = -{n3}$.",
    "So far: $x_1 = {n1}$, $x_2 = {n2}$, and the sum is ${s}$.",
    "Let me recount. There are ${n3}$ cases in total; in ${n1}$ of them the condition holds.",
]


def think_text(decoy, k=6, box_decoy=False, extra=""):
    n1, n2, n3 = rng.randint(2, 19), rng.randint(2, 19), rng.randint(2, 19)
    steps = rng.sample(FILLER_STEPS, k)
    out = []
    for s in steps:
        out.append(s.format(n1=n1, n2=n2, n3=n3, s=n1 + n2, p=n1 * n2, decoy=decoy))
    if box_decoy:
        out.insert(len(out) // 2, f"So tentatively the answer would be $\\boxed{{{decoy}}}$... but wait, let me re-check.")
    if extra:
        out.append(extra)
    out.append("Alright, I'm fairly confident now. Let me write up the solution.")
    return "<think>\n" + "\n\n".join(out) + "\n</think>\n\n"


SUMMARY = ("**Solution.** We set up the relevant equations and solve them step by step. "
           "Substituting back confirms the result satisfies all the given conditions.\n\n")


def layout(name, ans, decoy="0"):
    t = think_text(decoy)
    if name == "box_inline":
        return t + SUMMARY + f"Therefore, the final answer is $\\boxed{{{ans}}}$."
    if name == "box_display":
        return t + SUMMARY + f"**Final Answer**\n\\[\n\\boxed{{{ans}}}\n\\]"
    if name == "phrase":
        return t + SUMMARY + f"The final answer is ${ans}$."
    if name == "bold_answer":
        return t + SUMMARY + f"**Answer:** ${ans}$"
    raise ValueError(name)


# ------------------------------------------------------------------------------------------------- golds
# (gold, source, [equivalent forms (expected True, or None when unclear)], [wrong near misses])
U = None  # unclear marker
GOLDS = [
    ("\\frac{14}{3}", "math500",
     ["\\dfrac{14}{3}", "14/3", "\\frac{28}{6}", "\\left(\\frac{14}{3}\\right)", "\\frac{14}{3}.", "\\tfrac{14}{3}",
      ("4\\frac{2}{3}", True), ("4.6667", U), ("4.\\overline{6}", True)],
     ["\\frac{3}{14}", "-\\frac{14}{3}", "4.67", "\\frac{14}{5}", "14"]),
    ("\\left( 3, \\frac{\\pi}{2} \\right)", "math500",
     ["(3, \\frac{\\pi}{2})", "(3,\\pi/2)", "\\left(3,\\dfrac{\\pi}{2}\\right)", "(3, \\tfrac{\\pi}{2})",
      "( 3 , \\frac{\\pi}{2} )"],
     ["(\\frac{\\pi}{2}, 3)", "(3, \\frac{3\\pi}{2})", "(-3, \\frac{\\pi}{2})", "(3, \\pi)", "(3, \\frac{\\pi}{4})"]),
    ("\\text{(C)}", "math500",
     ["C", "(C)", "\\text{C}", "\\textbf{(C)}", "\\text{(C)}", "\\mathrm{(C)}"],
     ["(D)", "\\text{(B)}", "A", "\\text{(E)}"]),
    ("p - q", "math500",
     ["-q + p", "p-q", "-(q-p)", "p + (-q)"],
     ["q - p", "p + q", "pq", "-p-q"]),
    ("11\\sqrt2", "math500",
     ["11\\sqrt{2}", "\\sqrt{242}", "11 \\sqrt 2", "11\\cdot\\sqrt{2}", "\\frac{22}{\\sqrt{2}}"],
     ["11\\sqrt3", "\\sqrt{22}", "22\\sqrt2", "11", "\\sqrt{112}"]),
    ("\\$18.90", "math500",
     ["18.90", "\\$18.9", "18.9", "\\$ 18.90", "18.90 \\text{ dollars}", "\\$18.90"],
     ["\\$19.80", "1890", "18.09", "\\$18.80"]),
    ("10\\%", "math500",
     ["10", "10\\%", "10 \\text{ percent}", "10.0\\%", ("0.1", U)],
     ["1\\%", "100\\%", "20\\%", "0.01"]),
    ("x \\in [-2,7]", "math500",
     ["[-2,7]", "[-2, 7]", "-2 \\le x \\le 7", "x\\in\\left[-2,7\\right]", "-2 \\leq x \\leq 7"],
     ["(-2,7)", "[-2,7)", "[-7,2]", "[2,7]", "x \\in [-2, 7)"]),
    ("5, -3", "math500",
     ["-3, 5", "5,-3", "x=5, x=-3", "-3 \\text{ and } 5", "\\{-3, 5\\}"],
     ["5", "-5, 3", "5, 3", "-3"]),
    ("\\begin{pmatrix} 1 \\\\ -2 \\\\ 3 \\end{pmatrix}", "math500",
     ["\\begin{pmatrix}1\\\\-2\\\\3\\end{pmatrix}", "\\begin{bmatrix} 1 \\\\ -2 \\\\ 3 \\end{bmatrix}",
      ("(1,-2,3)", True)],
     ["\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", "\\begin{pmatrix} -2 \\\\ 1 \\\\ 3 \\end{pmatrix}",
      "\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}"]),
    ("\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix}", "math500",
     ["\\begin{pmatrix} \\frac{1}{5} \\\\ -\\frac{18}{5} \\end{pmatrix}",
      "\\begin{pmatrix} 0.2 \\\\ -3.6 \\end{pmatrix}", "\\begin{pmatrix} \\dfrac15 \\\\ -\\dfrac{18}{5} \\end{pmatrix}"],
     ["\\begin{pmatrix} -18/5 \\\\ 1/5 \\end{pmatrix}", "\\begin{pmatrix} 1/5 \\\\ 18/5 \\end{pmatrix}",
      "\\begin{pmatrix} 5 \\\\ -5/18 \\end{pmatrix}"]),
    ("30^\\circ", "math500",
     ["30", "30^{\\circ}", "30°", "30^\\circ.", "30 \\text{ degrees}", ("\\frac{\\pi}{6}", U)],
     ["60^\\circ", "150^\\circ", "3^\\circ", "300^\\circ"]),
    ("90^\\circ", "math500",
     ["90", "90^{\\circ}", "90°"],
     ["45^\\circ", "180^\\circ", "9^\\circ"]),
    ("1011_2", "math500",
     ["1011_2", "1011_{2}", "1011", "1011_{(2)}"],
     ["11", "1101_2", "10110_2", "111_2"]),
    ("\\text{Monday}", "math500",
     ["Monday", "\\text{monday}", "\\textbf{Monday}", "\\text{ Monday }"],
     ["Tuesday", "\\text{Sunday}", "\\text{Mon}"]),
    ("\\text{Evelyn}", "math500",
     ["Evelyn", "\\text{Evelyn}", "\\textbf{Evelyn}"],
     ["\\text{Bob}", "\\text{Angela}"]),
    ("y = 2x+3", "math500",
     ["y=3+2x", "2x+3", "y = 2x + 3", "y=2 x+3"],
     ["y = 3x+2", "y=2x-3", "y = -2x+3", "x = 2y+3"]),
    ("(-\\infty, -2) \\cup (3, \\infty)", "math500",
     ["(-\\infty,-2)\\cup(3,\\infty)", "(3,\\infty)\\cup(-\\infty,-2)", "x<-2 \\text{ or } x>3",
      "\\left(-\\infty, -2\\right) \\cup \\left(3, \\infty\\right)", "\\mathbb{R} \\setminus [-2, 3]"],
     ["(-\\infty,-2] \\cup [3,\\infty)", "(-2,3)", "(-\\infty, 2) \\cup (3, \\infty)", "(-\\infty,-3)\\cup(2,\\infty)"]),
    ("(-\\infty,-5]\\cup[5,\\infty)", "math500",
     ["(-\\infty, -5] \\cup [5, \\infty)", "x \\le -5 \\text{ or } x \\ge 5", "[5,\\infty)\\cup(-\\infty,-5]"],
     ["(-\\infty,-5)\\cup(5,\\infty)", "[-5,5]", "(-\\infty,5]\\cup[5,\\infty)"]),
    ("\\{1, 2, 4\\}", "math500",
     ["\\{4,2,1\\}", "1,2,4", "\\{1,2,4\\}", "4, 2, 1"],
     ["\\{1,2\\}", "\\{1,2,3,4\\}", "\\{1, 2, 8\\}"]),
    ("3, 5, 7", "math500",
     ["7, 5, 3", "3,5,7", "3, 5, \\text{ and } 7"],
     ["3, 5", "3, 5, 7, 9", "3, 5, 6"]),
    ("\\frac{\\sqrt{3}}{2}", "math500",
     ["\\frac{1}{2}\\sqrt3", "\\sqrt{3}/2", "\\frac{\\sqrt3}{2}", "\\dfrac{\\sqrt{3}}{2}", ("0.86603", U)],
     ["\\frac{\\sqrt{2}}{2}", "\\frac{3}{2}", "\\sqrt{3}", "\\frac{2}{\\sqrt{3}}"]),
    ("\\frac{\\sqrt{2}}{2}", "math500",
     ["\\frac{1}{\\sqrt{2}}", "\\frac{1}{\\sqrt2}", "\\sqrt{\\frac{1}{2}}", "2^{-1/2}"],
     ["\\sqrt{2}", "\\frac{1}{2}", "\\frac{\\sqrt{3}}{2}"]),
    ("-5", "math500",
     ["−5", "- 5", "-5.", "(-5)", "-5.0"],
     ["5", "-4", "−4", "\\frac{1}{5}"]),
    ("1000", "math500",
     ["1,000", "1{,}000", "1\\,000", "1000.", "10^3", "1\\!000"],
     ["100", "10000", "1,000,000", "1001"]),
    ("\\$32,\\!348", "math500",
     ["32348", "\\$32,348", "32{,}348", "\\$32,\\!348", "32,348 \\text{ dollars}"],
     ["32,384", "\\$3,234.80", "32,348,000"]),
    ("\\frac{7}{2}", "math500",
     ["3\\frac{1}{2}", "3.5", "\\frac72", "7/2", "\\dfrac{7}{2}", "3 \\frac{1}{2}"],
     ["\\frac{3}{2}", "\\frac{2}{7}", "3", "3.2"]),
    ("2\\frac{1}{4}", "math500",
     ["\\frac{9}{4}", "2.25", "9/4", "2\\tfrac{1}{4}"],
     ["\\frac{1}{2}", "\\frac{1}{8}", "2.5", "\\frac{9}{2}"]),
    ("\\frac{1}{2}", "math500",
     ["\\frac12", "0.5", "1/2", "\\tfrac12", "\\frac{2}{4}"],
     ["2", "\\frac{1}{3}", "-\\frac12", "0.05"]),
    ("x^2+7x+10", "math500",
     ["(x+2)(x+5)", "x^2 + 10 + 7x", "x^{2}+7x+10"],
     ["x^2+7x-10", "(x-2)(x-5)", "x^2+10x+7"]),
    ("-2 + 7i", "math500",
     ["7i - 2", "-2+7i", "-2 + 7 i"],
     ["-2 - 7i", "2 + 7i", "7 - 2i"]),
    ("\\text{odd}", "math500",
     ["odd", "\\text{odd}", "\\text{Odd}", "\\textbf{odd}"],
     ["\\text{even}", "\\text{neither}"]),
    ("1.25", "math500",
     ["\\frac{5}{4}", "1.250", "5/4", "1\\frac{1}{4}"],
     ["1.2", "12.5", "\\frac{4}{5}", "0.125"]),
    ("\\dfrac{9}{7}", "math500",
     ["\\frac{9}{7}", "9/7", "\\frac{18}{14}"],
     ["\\frac{7}{9}", "\\frac{9}{8}", "1.29"]),
    ("2\\sqrt{5}", "math500",
     ["\\sqrt{20}", "2 \\sqrt5", "\\sqrt{5} \\cdot 2", "\\frac{10}{\\sqrt5}"],
     ["\\sqrt{10}", "5\\sqrt{2}", "2\\sqrt{3}", "4.47"]),
    ("5\\text{ cm}", "math500",
     ["5", "5 \\text{ cm}", "5\\,\\text{cm}", "5 \\mathrm{cm}", "5\\text{cm}"],
     ["50", ("5 \\text{ cm}^2", U), "6 \\text{ cm}"]),
    ("6 - 5i", "math500",
     ["6-5i", "-5i + 6"],
     ["6+5i", "-6-5i", "5 - 6i"]),
    ("\\frac{3}{56}", "math500",
     ["3/56", "\\frac{6}{112}", "\\dfrac{3}{56}"],
     ["\\frac{56}{3}", "\\frac{3}{65}", "\\frac{5}{56}"]),
    # AIME
    ("033", "aime", ["33", "033", "33.", "0033"], ["330", "3", "-33", "34", "303"]),
    ("204", "aime", ["204", "204.", "\\mathbf{204}", "204.0"], ["240", "402", "2040", "20"]),
    ("25", "aime", ["25", "025", "25 \\text{ ways}"], ["52", "250", "24", "-25"]),
    ("540", "aime", ["540", "540.", "5\\cdot 108"], ["504", "54", "5400"]),
    ("0", "aime", ["0", "000", "00"], ["1", "10", "100"]),
    ("902", "aime", ["902", "902."], ["209", "920", "9020"]),
]


def plain(a):
    return a.strip().rstrip(".")


def main():
    cases = []

    def add(cat, gold, response, expected, note=""):
        cases.append({"id": f"c{len(cases):04d}", "cat": cat, "gold": gold, "response": response,
                      "expected": expected, "note": note})

    # -------- (a)/(b): forms x layouts
    for gold, source, eqs, wrongs in GOLDS:
        decoy = wrongs[0]
        for e in eqs:
            ans, exp = (e if isinstance(e, tuple) else (e, True))
            for lay in ("box_inline", "box_display"):
                add(f"equiv/{lay}", gold, layout(lay, ans, decoy), exp, f"equivalent form {ans!r}")
            if source == "aime" or rng.random() < 0.35:
                add("equiv/phrase", gold, layout(rng.choice(["phrase", "bold_answer"]), ans, decoy), exp,
                    f"equivalent form {ans!r} without a box")
        for w in wrongs:
            w, wexp = (w if isinstance(w, tuple) else (w, False))
            for lay in ("box_inline", "box_display"):
                add(f"wrong/{lay}", gold, layout(lay, w, plain(eqs[0] if isinstance(eqs[0], str) else eqs[0][0])), wexp,
                    f"near miss {w!r}")
            if source == "aime" or rng.random() < 0.35:
                add("wrong/phrase", gold, layout(rng.choice(["phrase", "bold_answer"]), w), wexp,
                    f"near miss {w!r} without a box")

    # -------- (c) tricky layouts
    T = think_text
    # several boxes after </think>: the last counts
    add("layout/multibox", "\\frac{14}{3}", T("3/14") + "First I got $\\boxed{\\frac{3}{14}}$, but I inverted the ratio. "
        "Correcting this:\n\n\\[\\boxed{\\frac{14}{3}}\\]", True, "wrong box then corrected box")
    add("layout/multibox", "\\frac{14}{3}", T("3/14") + "We obtain $\\boxed{\\frac{14}{3}}$.\n\nHmm, actually the ratio "
        "should be inverted, so the answer is\n\n\\[\\boxed{\\frac{3}{14}}\\]", False, "right box then revised to wrong")
    add("layout/multibox", "204", T("240") + "Part (a) gives $\\boxed{12}$ and the final count is $\\boxed{204}$.", True,
        "intermediate box then final box joined by 'and' in one sentence")
    add("layout/multibox", "204", T("240") + "The number of valid pairs is $\\boxed{12}$.\n\nMultiplying by the 17 "
        "arrangements, the total is $\\boxed{204}$.", True, "two boxes in different sentences")
    # box in think, different final after </think>
    add("layout/think_box", "33", T("33", box_decoy=True) + "After correcting the arithmetic, the answer is $\\boxed{35}$.",
        False, "correct box inside <think>, wrong final box")
    add("layout/think_box", "33", T("35", box_decoy=True) + "After correcting the arithmetic, the answer is $\\boxed{33}$.",
        True, "wrong box inside <think>, correct final box")
    add("layout/think_box", "33", T("33", box_decoy=True) + "After correcting the arithmetic, the final answer is 35.",
        False, "correct box inside <think>, unboxed wrong final answer")
    add("layout/think_box", "33", T("35", box_decoy=True) + "After correcting the arithmetic, the final answer is 33.",
        True, "wrong box inside <think>, unboxed correct final answer")
    # no box
    for g, a in (("42", "42"), ("\\frac{14}{3}", "$\\frac{14}{3}$"), ("5, -3", "$x = 5$ or $x = -3$")):
        add("layout/nobox", g, T("7") + SUMMARY + f"The final answer is {a}", True, "final answer phrase, no period")
        add("layout/nobox", g, T("7") + SUMMARY + f"**Answer:** {a}", True, "bold Answer:")
        add("layout/nobox", g, T("7") + SUMMARY + f"**Final Answer**\n\n{a}", True, "Final Answer heading, bare answer")
    add("layout/nobox", "42", T("7") + SUMMARY + "The final answer is 24", False, "wrong, phrase, no box")
    # empty box
    add("layout/emptybox", "42", T("7") + SUMMARY + "So the answer is $\\boxed{}$.", False, "empty box only")
    add("layout/emptybox", "42", T("7") + "I will put the answer in \\boxed{}.\n\nThe total is $\\boxed{42}$.", True,
        "empty box echoed, then real box")
    add("layout/emptybox", "42", T("7") + SUMMARY + "So the answer is $\\boxed{}$ 42.", U, "empty box then bare 42")
    # nested braces
    add("layout/nested", "\\frac{\\sqrt{2}}{2}", T("1/2") + "Thus $\\boxed{\\frac{1}{\\sqrt{2}}}$.", True, "nested braces")
    add("layout/nested", "\\frac{\\sqrt{2}}{2}", T("1/2") + "Thus $\\boxed{\\frac{1}{\\sqrt{3}}}$.", False, "nested braces wrong")
    add("layout/nested", "\\frac{1}{4}", T("1/2") + "Thus $\\boxed{\\left(\\frac{1}{2}\\right)^{2}}$.", True, "nested power")
    # fbox / display variants
    add("layout/fbox", "42", T("7") + SUMMARY + "The answer is \\fbox{42}.", True, "fbox")
    add("layout/fbox", "42", T("7") + SUMMARY + "The answer is \\fbox{24}.", False, "fbox wrong")
    add("layout/delims", "\\frac{14}{3}", T("7") + SUMMARY + "$$\\boxed{\\frac{14}{3}}$$", True, "$$ box")
    add("layout/delims", "\\frac{14}{3}", T("7") + SUMMARY + "\\(\\boxed{\\frac{14}{3}}\\)", True, "\\( box")
    add("layout/delims", "\\frac{14}{3}", T("7") + SUMMARY + "\\boxed{\\dfrac{14}{3}}", True, "bare box")
    add("layout/delims", "42", T("7") + SUMMARY + "\\boxed 42", True, "\\boxed 42 without braces")
    # truncated responses
    add("layout/truncated", "42", T("7")[:-len("\n</think>\n\n")].replace("<think>", "<think>") +
        "\n\nSo the total is $6 \\cdot 7 = 42$, but I still need to subtract the cases wh", False,
        "no </think>, cut mid-sentence (no final answer)")
    add("layout/truncated", "42", think_text("42", box_decoy=True)[:-len("\n</think>\n\n")] +
        "\n\nHmm, now let me reconsider the case where the two", U,
        "no </think>, correct box inside unfinished thinking, cut mid-sentence")
    add("layout/truncated", "42", "<think>\nWe have 6 groups of 7, giving 6 \\cdot 7 = 42", False,
        "no </think>, cut right after a number")
    add("layout/truncated", "42", T("7") + SUMMARY + "Adding the two cases, we get $20 + 22 = ", False,
        "</think> present, final write-up cut mid-formula")
    add("layout/truncated", "42", T("7") + SUMMARY + "Therefore the answer is \\boxed{4", False, "cut inside the box")
    # restating the problem
    add("layout/restate", "12", T("7") + "We are given a bag with 4 red and 3 blue marbles and 12 draws in total.", False,
        "only restates the problem's numbers")
    add("layout/restate", "35", T("7") + "The problem asks for the number of ways to choose 3 of 7 people.", False,
        "restates problem, no answer")
    # words and numbers
    add("layout/words", "5", T("7") + "So there are five (5) ways.", True, "five (5)")
    add("layout/words", "5", T("7") + "So the answer is $\\boxed{\\text{five}}$.", True, "boxed word five")
    add("layout/words", "5", T("7") + "So the answer is $\\boxed{5 \\text{ (five)}}$.", True, "5 (five)")
    add("layout/words", "12", T("7") + "So there are twelve ways in total, i.e. $\\boxed{12}$.", True, "twelve + box")
    add("layout/words", "12", T("7") + "Thus the answer is twelve.", True, "only the word twelve")
    # unicode minus, \frac12, mixed numbers, thousands
    add("layout/unicode", "-5", T("7") + "The minimum value is −5.", True, "unicode minus, no box")
    add("layout/unicode", "5", T("7") + "The minimum value is $\\boxed{−5}$.", False, "unicode minus wrong sign")
    add("layout/unicode", "-5", T("7") + "The minimum value is $\\boxed{5}$.", False, "wrong sign")
    add("layout/unicode", "2\\sqrt{5}", T("7") + "The distance is $\\boxed{2√5}$.", True, "unicode sqrt")
    add("layout/unicode", "\\frac{1}{2}", T("7") + "Hence the probability is $\\boxed{½}$.", True, "unicode 1/2")
    add("layout/unicode", "90^\\circ", T("7") + "So the angle is 90°.", True, "90° no box")
    add("layout/mixed", "\\frac{7}{2}", T("7") + "So the answer is $\\boxed{3\\frac12}$.", True, "3\\frac12")
    add("layout/mixed", "3\\frac{1}{2}", T("7") + "So the answer is $\\boxed{\\frac{3}{2}}$.", False, "gold mixed, resp 3/2")
    add("layout/mixed", "3\\frac{1}{2}", T("7") + "So the answer is $\\boxed{\\frac{7}{2}}$.", True, "gold mixed, resp 7/2")
    add("layout/thousands", "1000", T("7") + "So the total is 1,000.", True, "1,000 no box")
    add("layout/thousands", "1000", T("7") + "So the total is 1,000 dollars.", True, "1,000 dollars no box")
    add("layout/thousands", "10000", T("7") + "So the total is $\\boxed{1{,}000}$.", False, "1{,}000 vs 10000")
    add("layout/thousands", "1000", T("7") + "So there are $\\boxed{1\\,000}$ numbers.", True, "thin-space thousands")
    add("layout/thousands", "1, 000", T("7") + "So there are $\\boxed{1000}$ numbers.", U, "odd gold")
    # prose after the box / approximations
    add("layout/afterbox", "\\frac{14}{3}", T("7") + "Therefore $\\boxed{\\frac{14}{3}}$.\n\nThe final answer is "
        "$\\frac{14}{3}$, approximately 4.67.", True, "final-answer sentence adds an approximation")
    add("layout/afterbox", "7", T("7") + "Therefore $\\boxed{7}$.\n\nThe final answer is 7, not 5.", True,
        "final-answer sentence rejects a decoy")
    add("layout/afterbox", "7", T("7") + "Therefore $\\boxed{7}$.\n\nThe final answer is 7 because the root x = 5 is "
        "extraneous.", True, "final-answer sentence with a reason")
    add("layout/afterbox", "7", T("7") + "Therefore $\\boxed{7}$ (the root $x=5$ is extraneous).", True, "box then aside")
    add("layout/afterbox", "7", T("7") + "Therefore $\\boxed{7}$.\n\nThe final answer is 5.", False,
        "final-answer sentence after the box revises it (wrong)")
    add("layout/afterbox", "5", T("7") + "Therefore $\\boxed{7}$.\n\nWait, the final answer is 5.", True,
        "final-answer sentence after the box revises it (right)")
    add("layout/afterbox", "\\frac{14}{3}", T("7") + "Therefore $\\boxed{\\frac{14}{3} \\approx 4.67}$.", True,
        "approximation inside the box")
    add("layout/afterbox", "12", T("7") + "Therefore $\\boxed{12}$. I hope it is correct.", True, "hope boilerplate")
    add("layout/prose", "7", T("7") + "The final answer is $7$ rather than $5$.", True, "phrase 7 rather than 5")
    add("layout/prose", "7", T("7") + "The answer is 7, since 5 is extraneous.", True, "answer is 7, since 5 ...")
    add("layout/prose", "12", T("7") + "So there are 12 ways to choose them out of 30 candidates.", True,
        "last sentence has the answer then a problem number")
    add("layout/prose", "12", T("7") + "There are 30 candidates, and the number of valid choices is 12.", True,
        "last sentence ends with the answer")
    add("layout/prose", "12", T("7") + "To double-check that the answer is reasonable, note that 12 < 30.\n\n"
        "**Answer:** 12", True, "'answer is' in a check, then Answer:")
    add("layout/prose", "12", T("7") + "**Answer:** 12\n\nTo double-check that the answer is reasonable, note that "
        "12 < 30.", True, "Answer: then a check sentence containing 'answer is'")
    add("layout/prose", "12", T("7") + "The answer is not 13; it is 12.", True, "answer is not 13; it is 12")
    add("layout/prose", "12", T("7") + "Answer: 12 ways (out of 30 total arrangements).", True, "Answer: 12 ways (out of 30)")
    # hedges and lists of boxes
    add("layout/hedge", "5", T("7") + "So the answer is either $\\boxed{5}$ or $\\boxed{7}$.", False, "hedged two boxes")
    add("layout/hedge", "5, -3", T("7") + "So the solutions are $\\boxed{5}$ and $\\boxed{-3}$.", True, "two boxes = list")
    add("layout/hedge", "3", T("7") + "The answer is $\\boxed{3}$, not $\\boxed{5}$.", True, "box, not box")
    add("layout/hedge", "5", T("7") + "So $x = \\boxed{5}$ or $x = \\boxed{5}$ again.", True, "same box twice")
    add("layout/hedge", "5", T("7") + "So the answer is $\\boxed{5 \\text{ or } 7}$.", False, "hedge inside box")
    # equations / units / letters
    add("layout/misc", "5", T("7") + "So $\\boxed{x = 5}$.", True, "x = 5")
    add("layout/misc", "5", T("7") + "So $\\boxed{x = -5}$.", False, "x = -5")
    add("layout/misc", "5", T("7") + "So the side is $\\boxed{5 \\text{ cm}}$.", True, "units")
    add("layout/misc", "25", T("7") + "So the area is $\\boxed{25\\text{ cm}^2}$.", True, "units squared")
    add("layout/misc", "\\text{(C)}", T("7") + "So the answer is $\\boxed{\\textbf{(C)}\\ 12}$.", True, "letter with value")
    add("layout/misc", "\\text{(C)}", T("7") + "So the answer is $\\boxed{\\textbf{(D)}\\ 12}$.", False, "wrong letter with value")
    add("layout/misc", "\\text{(C)}", T("7") + "So the answer is (C).", True, "(C) no box")
    add("layout/misc", "5", T("7") + "So $\\boxed{5.}$", True, "period inside box")
    add("layout/misc", "5", T("7") + "So $\\boxed{ -5 }$", False, "spaces and sign")
    add("layout/misc", "33", T("7") + "The answer is $\\boxed{033}$.", True, "AIME leading zero in response")
    add("layout/misc", "33", T("7") + "The answer is $\\boxed{33\\%}$.", U, "percent on an AIME integer")
    add("layout/misc", "10", T("7") + "The answer is $\\boxed{1000\\%}$.", False, "1000% vs 10")
    add("layout/misc", "\\frac{1}{4}", T("7") + "The probability is $\\boxed{25\\%}$.", True, "25% vs 1/4")
    add("layout/misc", "25", T("7") + "The probability is $\\boxed{0.25}$.", U, "0.25 vs 25 (percent question?)")
    add("layout/misc", "42", T("7") + "The total is $\\boxed{42}$.<|im_end|>\n<|im_start|>user\nWhat about 43? \\boxed{43}",
        True, "text after end-of-turn marker")
    add("layout/misc", "42", T("7").replace("</think>", "</think>\nwait</think>") + "The total is $\\boxed{42}$.", True,
        "two </think>")
    add("layout/misc", "42", "<think>\nshort\n</think>\n\n42", True, "bare answer")
    add("layout/misc", "42", "<think>\nshort\n</think>\n\n24", False, "bare wrong answer")
    add("layout/misc", "-\\frac{1}{2}", T("7") + "So the value is $\\boxed{-\\dfrac{1}{2}}$.", True, "neg dfrac")
    add("layout/misc", "-\\frac{1}{2}", T("7") + "So the value is $\\boxed{\\dfrac{-1}{2}}$.", True, "dfrac of neg")
    add("layout/misc", "-\\frac{1}{2}", T("7") + "So the value is $\\boxed{\\dfrac{1}{-2}}$.", True, "dfrac neg den")
    add("layout/misc", "\\frac{1}{2}", T("7") + "So the value is $\\boxed{-\\dfrac{1}{-2}}$.", True, "double negative")
    add("layout/misc", "\\frac{1}{2}", T("7") + "So the value is $\\boxed{\\frac{1}{2}x}$.", False, "stray variable")
    add("layout/misc", "2", T("7") + "So $\\boxed{2x}$ where x = 1.", U, "2x")
    add("layout/misc", "\\frac{14}{3}", T("7") + "So the answer is $\\boxed{\\frac{14}{3}\\text{ units}}$.", True, "units text")
    add("layout/misc", "y = 2x+3", T("7") + "The line is $\\boxed{2x - y + 3 = 0}$.", True, "general form line")
    add("layout/misc", "y = 2x+3", T("7") + "The line is $\\boxed{y - 3 = 2x}$.", True, "rearranged line")
    add("layout/misc", "y = 2x+3", T("7") + "The line is $\\boxed{2y = 4x + 6}$.", True, "scaled line")
    add("layout/misc", "\\{1\\pm\\sqrt{5}, -2\\}", T("7") + "The roots are $\\boxed{-2, 1+\\sqrt5, 1-\\sqrt5}$.", True, "pm set")
    add("layout/misc", "\\{1\\pm\\sqrt{5}, -2\\}", T("7") + "The roots are $\\boxed{-2, 1+\\sqrt5}$.", False, "pm set missing")
    add("layout/misc", "0", T("7") + "Therefore the remainder is $\\boxed{0}$.", True, "zero")
    add("layout/misc", "0", T("7") + "Therefore the remainder is $\\boxed{\\text{none}}$.", False, "none vs 0")
    add("layout/misc", "1011_2", T("7") + "In base 2 this is $\\boxed{1011_{\\text{two}}}$.", True, "base two text")
    add("layout/misc", "\\text{Monday}", T("7") + "So it will be $\\boxed{\\text{Monday}}$.", True, "text")
    add("layout/misc", "\\text{Monday}", T("7") + "So the party will be on a Monday.", True, "text in prose, no box")
    add("layout/misc", "\\$18.90", T("7") + "He paid \\$18.90 in total.", True, "dollar in prose no box")
    add("layout/misc", "\\$18.90", T("7") + "He paid $\\boxed{\\$18.90}$ in total.", True, "dollar in box")
    add("layout/misc", "10\\%", T("7") + "So the price dropped by $\\boxed{10\\%}$.", True, "percent")
    add("layout/misc", "10\\%", T("7") + "So the price dropped by 10%.", True, "percent plain prose")
    add("layout/misc", "10\\%", T("7") + "So the price dropped by $\\boxed{10 \\%}$.", True, "percent with space")


    # -------- batch 2: prose after / instead of the box (extraction), more layouts
    add("b2/afterbox", "12", T("7") + "Therefore the minimum is $\\boxed{12}$.\n\nThe final answer is $12$, attained at $x = 3$.",
        True, "box, then final-answer sentence naming where it is attained")
    add("b2/afterbox", "12", T("7") + "Therefore the minimum is $\\boxed{12}$.\n\nThe final answer is 12, attained at x = 3.",
        True, "same, plain text")
    add("b2/afterbox", "33", T("7") + "**Final Answer**\n\\boxed{33}\n\nThe final answer is 33, obtained as m + n = 14 + 19.",
        True, "AIME m+n explanation after box")
    add("b2/afterbox", "204", T("7") + "\\[\\boxed{204}\\]\n\nSo the final answer is 204 (in base 10).", True, "(in base 10)")
    add("b2/afterbox", "7", T("7") + "Hence $\\boxed{7}$.\n\nThe final answer is 7 (from 3 + 4).", True, "(from 3 + 4)")
    add("b2/afterbox", "\\frac{14}{3}", T("7") + "Hence $\\boxed{\\frac{14}{3}}$.\n\nThe final answer is $\\frac{14}{3}$ square units.",
        True, "square units")
    add("b2/afterbox", "33", T("7") + "The final answer is $\\boxed{33}$, where $m = 14$ and $n = 19$.", True,
        "box inside the phrase, then where m, n")
    add("b2/afterbox", "33", T("7") + "**Final Answer**\n\\boxed{33}\n\nThe final answer is 34.", False, "revision after the box (wrong)")
    add("b2/prose", "12", T("7") + "Thus, the minimum value is 12 when x = 3.", True, "no box: value then where")
    add("b2/prose", "12", T("7") + "The minimum value is $12$, attained at $x = 3$.", True, "no box: math value then where")
    add("b2/prose", "12", T("7") + "The final answer is 12, attained at x = 3.", True, "no box phrase: value then where")
    add("b2/prose", "12", T("7") + "The final answer is $12$ (attained at $x=3$).", True, "no box phrase: paren where")
    add("b2/prose", "3", T("7") + "Thus, the minimum value is 12 when x = 3.", False, "no box: gold equals the argument, not the value")
    add("b2/prose", "3", T("7") + "The final answer is 12, attained at x = 3.", False, "phrase: gold equals the argument")
    add("b2/prose", "30", T("7") + "So there are 12 ways to choose them out of 30 candidates.", False,
        "gold equals the problem number at the end of the sentence")
    add("b2/prose", "30", T("7") + "Answer: 12 ways (out of 30 total arrangements).", False, "Answer: 12 (out of 30) vs gold 30")
    add("b2/unicode", "5", T("7") + "The minimum value is −5.", False, "unicode minus in prose vs gold 5")
    add("b2/unicode", "5", T("7") + "The final answer is −5.", False, "unicode minus phrase vs gold 5")
    add("b2/unicode", "5", T("7") + "**Answer:** −5", False, "unicode minus Answer: vs gold 5")
    add("b2/unicode", "-5", T("7") + "The final answer is −5.", True, "unicode minus phrase vs gold -5")
    add("b2/unicode", "5", T("7") + "The minimum value is $−5$.", False, "unicode minus in math vs gold 5")
    add("b2/unicode", "\\frac{1}{2}", T("7") + "The final answer is −1/2.", False, "unicode minus fraction vs 1/2")
    for a in ("3, 5 \\text{ and } 7", "3, 5, and 7", "3,\\ 5,\\ 7", "3,\\, 5,\\, 7", "3, 5 \\text{, and } 7",
              "3; 5; 7", "3 \\text{ and } 5 \\text{ and } 7"):
        add("b2/list", "3, 5, 7", T("7") + f"So the primes are $\\boxed{{{a}}}$.", True, f"list form {a!r}")
    add("b2/list", "3, 5, 7", T("7") + "So the primes are $\\boxed{3, 5, \\text{ and } 9}$.", False, "list with and, wrong")
    add("b2/list", "5, -3", T("7") + "So $\\boxed{x = 5 \\text{ or } x = -3}$.", True, "x = 5 or x = -3 boxed")
    add("b2/list", "5, -3", T("7") + "So $\\boxed{x = 5, -3}$.", True, "x = 5, -3")
    add("b2/list", "5, -3", T("7") + "So $\\boxed{x \\in \\{-3, 5\\}}$.", True, "x in set")
    add("b2/list", "5, -3", T("7") + "So $\\boxed{x = 5 \\text{ or } x = 3}$.", False, "x = 5 or x = 3 boxed")
    add("b2/list", "5, -3", T("7") + "The solutions are $x = 5$ and $x = -3$.", True, "no box, two spans")
    add("b2/list", "5, -3", T("7") + "The solutions are $x = 5$ and $x = 3$.", False, "no box, two spans wrong")
    for a, e in (("\\text{(C) } 12", True), ("(C)\\ 12", True), ("\\textbf{(C) } 12", True), ("\\text{(C)}\\ \\frac{1}{2}", True),
                 ("\\text{C}", True), ("c", True), ("\\text{(D) } 12", False), ("(D)", False), ("12", U)):
        add("b2/letter", "\\text{(C)}", T("7") + f"So the answer is $\\boxed{{{a}}}$.", e, f"letter form {a!r}")
    add("b2/tuple", "\\left( 3, \\frac{\\pi}{2} \\right)", T("7") + "So $\\boxed{r = 3, \\theta = \\frac{\\pi}{2}}$.", True,
        "named polar coords")
    add("b2/tuple", "\\left( 3, \\frac{\\pi}{2} \\right)", T("7") + "So $\\boxed{3, \\frac{\\pi}{2}}$.", True, "bare pair")
    add("b2/tuple", "\\left( 3, \\frac{\\pi}{2} \\right)", T("7") + "So $\\boxed{\\frac{\\pi}{2}, 3}$.", False, "bare pair swapped")
    add("b2/tuple", "\\left( 3, \\frac{\\pi}{2} \\right)", T("7") + "So $\\boxed{(r,\\theta) = (3, \\frac{\\pi}{2})}$.", True,
        "(r,theta) = (...)")
    add("b2/tuple", "\\left( 3, \\frac{\\pi}{2} \\right)", T("7") + "So $\\boxed{[3, \\frac{\\pi}{2}]}$.", U, "brackets")
    add("b2/tuple", "(1, 2)", T("7") + "So the point is $\\boxed{(2, 1)}$.", False, "swapped point")
    add("b2/tuple", "(2, 5)", T("7") + "So the interval is $\\boxed{[2, 5]}$.", U, "open vs closed, gold ambiguous")
    add("b2/money", "\\$32,\\!348", T("7") + "So the total is $\\boxed{32,\\!348}$.", True, "\\! thousands")
    add("b2/money", "\\$32,\\!348", T("7") + "So the total is $\\boxed{\\$32,\\!348.00}$.", True, ".00")
    add("b2/money", "\\$32,\\!348", T("7") + "So the total is \\$32,348.", True, "prose dollars")
    add("b2/money", "\\$18.90", T("7") + "So the total is $\\boxed{18.90 \\text{ dollars}}$.", True, "dollars text")
    add("b2/money", "\\$18.90", T("7") + "So the total is $\\boxed{\\$18.09}$.", False, "dollars wrong")
    add("b2/money", "\\$18.90", T("7") + "So the total is $\\boxed{1890 \\text{ cents}}$.", U, "cents")
    add("b2/eq", "x^2+7x+10", T("7") + "So $\\boxed{f(x) = x^2+7x+10}$.", True, "f(x)=")
    add("b2/eq", "x^2+7x+10", T("7") + "So $\\boxed{p(x) = (x+2)(x+5)}$.", True, "p(x)= factored")
    add("b2/eq", "x^2+7x+10", T("7") + "So $\\boxed{f(x) = x^2+7x-10}$.", False, "f(x)= wrong")
    add("b2/eq", "5", T("7") + "So $\\boxed{n = 5}$.", True, "n = 5")
    add("b2/eq", "5", T("7") + "So $\\boxed{a = 5, b = 7}$.", U, "two names")
    add("b2/eq", "-5", T("7") + "So $\\boxed{x=-5}$.", True, "x=-5")
    add("b2/eq", "y = 2x+3", T("7") + "So $\\boxed{y = 2x + 3}$ is the line.", True, "box then words")
    add("b2/eq", "y = 2x+3", T("7") + "So $\\boxed{x = 2y + 3}$ is the line.", False, "swapped variables")
    add("b2/eq", "y = 2x+3", T("7") + "So $\\boxed{y = 2x + 3, \\text{ slope } 2}$.", U, "extra info")
    add("b2/deg", "30^\\circ", T("7") + "So $\\angle ABC = \\boxed{30^\\circ}$.", True, "angle = box")
    add("b2/deg", "30^\\circ", T("7") + "So $\\boxed{\\angle ABC = 30^\\circ}$.", True, "angle name in box")
    add("b2/deg", "30^\\circ", T("7") + "So $\\boxed{m\\angle ABC = 30}$.", True, "m angle in box")
    add("b2/deg", "30^\\circ", T("7") + "So $\\boxed{\\angle ABC = 60^\\circ}$.", False, "angle name in box wrong")
    add("b2/deg", "30", T("7") + "So $\\boxed{30^\\circ}$.", True, "gold plain, resp degrees")
    add("b2/pct", "10\\%", T("7") + "So $\\boxed{10\\% \\text{ decrease}}$.", True, "10% decrease")
    add("b2/pct", "10\\%", T("7") + "So $\\boxed{0.1\\%}$.", False, "0.1%")
    add("b2/pct", "10", T("7") + "So the percent is $\\boxed{10\\%}$.", True, "gold 10, 10%")
    add("b2/pct", "10", T("7") + "So $\\boxed{0.1}$.", U, "gold 10 resp 0.1")
    add("b2/aime", "033", T("7") + "So $m + n = \\boxed{33}$.", True, "m+n = box")
    add("b2/aime", "033", T("7") + "So $\\boxed{m + n = 33}$.", True, "m+n inside box")
    add("b2/aime", "033", T("7") + "So $\\boxed{m + n = 14 + 19 = 33}$.", True, "chain inside box")
    add("b2/aime", "033", T("7") + "So $\\boxed{m + n = 14 + 19 = 34}$.", False, "chain inside box wrong")
    add("b2/aime", "033", T("7") + "So $\\boxed{\\frac{14}{19}}$, giving $m+n = 33$.", U, "box holds the fraction, m+n after")
    add("b2/aime", "204", T("7") + "So the answer is $\\boxed{204}$ minutes.", True, "box then unit")
    add("b2/aime", "204", T("7") + "So the answer is $\\boxed{0204}$.", True, "leading zero 4 digits")
    add("b2/aime", "204", T("7") + "So the answer is $\\boxed{2.04}$.", False, "decimal point")
    add("b2/aime", "204", T("7") + "So the answer is $\\boxed{204\\,000}$.", False, "thin space thousands")
    add("b2/aime", "25", T("7") + "So the answer is $\\boxed{25^{\\circ}}$.", U, "degrees on AIME")
    add("b2/aime", "0", T("7") + "So the remainder is $\\boxed{0}$, i.e. 1000 divides it.", True, "box then i.e. number")
    add("b2/aime", "540", T("7") + "So $\\boxed{540}$.\n\n**Final answer is 540.**", True, "bold final answer after box")


    # -------- batch 3: names = value inside the box, equations of lines, false accepts through trailing numbers
    for g, a, e, note in (
            ("33", "m+n=33", True, "m+n=33 vs 33"), ("033", "m + n = 33", True, "m + n = 33 vs 033"),
            ("34", "m + n = 33", False, "m + n = 33 vs 34"), ("12", "a+b+c = 12", True, "a+b+c = 12"),
            ("7", "x+y=7", True, "x+y=7"), ("5", "AB = 5", True, "AB = 5"), ("5", "\\overline{AB} = 5", True, "overline AB"),
            ("\\frac{1}{4}", "P(A) = \\frac{1}{4}", True, "P(A) = 1/4"), ("5", "f(3) = 5", True, "f(3) = 5"),
            ("\\frac{14}{19}", "\\frac{m}{n} = \\frac{14}{19}", True, "m/n = 14/19"), ("33", "33 = m + n", True, "33 = m+n"),
            ("204", "N \\bmod 1000 = 204", True, "N mod 1000 = 204"), ("204", "N \\equiv 204 \\pmod{1000}", True, "N equiv 204"),
            ("\\frac{1}{2}", "\\sin\\theta = \\frac{1}{2}", True, "sin theta = 1/2"), ("25", "r^2 = 25", True, "r^2 = 25"),
            ("6", "|z| = 6", True, "|z| = 6"), ("6", "a_1 + a_2 = 6", True, "a_1 + a_2 = 6"), ("6", "2a = 6", U, "2a = 6"),
            ("y = -2", "x = -2", False, "directrix y=-2 vs x=-2"), ("x = 3", "y = 3", False, "asymptote x=3 vs y=3"),
            ("y = -2", "y = -2", True, "directrix same"), ("y = -2", "-2", U, "directrix bare -2"),
            ("x = 3", "x=3", True, "asymptote same"), ("y = 2x+3", "x = 2x+3", False, "lhs swapped to x"),
            ("y = \\frac{1}{2}x + 1", "y = 0.5x + 1", True, "decimal slope"), ("y=-\\frac{5}{2}", "x = -\\frac52", False, "y vs x"),
    ):
        add("b3/named", g, T("7") + f"Therefore $\\boxed{{{a}}}$.", e, note)
    add("b3/afterbox_fa", "4", T("7") + "Hence $\\boxed{7}$.\n\nThe final answer is 7 (from 3 + 4).", False,
        "wrong final 7, gold equals a number in the explanation")
    add("b3/afterbox_fa", "19", T("7") + "**Final Answer**\n\\boxed{33}\n\nThe final answer is 33, obtained as m + n = 14 + 19.",
        False, "gold 19 vs answer 33")
    add("b3/afterbox_fa", "10", T("7") + "\\[\\boxed{204}\\]\n\nSo the final answer is 204 (in base 10).", False, "gold 10 vs 204")
    add("b3/afterbox_fa", "3", T("7") + "Therefore the minimum is $\\boxed{12}$.\n\nThe final answer is $12$, attained at $x = 3$.",
        False, "gold 3 = argmin, answer 12")
    add("b3/afterbox_fa", "5", T("7") + "Therefore $\\boxed{7}$.\n\nThe final answer is 7, not 5.", False, "gold 5, answer 7 not 5")
    add("b3/afterbox_fa", "4.67", T("7") + "Therefore $\\boxed{\\frac{14}{3}}$.\n\nThe final answer is $\\frac{14}{3}$, approximately 4.67.",
        U, "gold 4.67")
    add("b3/prose_fa", "5", T("7") + "The answer is 7, since 5 is extraneous.", False, "gold 5, answer 7 (no box)")
    add("b3/prose_fa", "5", T("7") + "The final answer is $7$ rather than $5$.", False, "gold 5, answer 7 rather than 5")
    add("b3/prose_fa", "5", T("7") + "**Answer:** 7\n\nTo double-check that the answer is reasonable, note that 7 > 5.", False,
        "gold 5, Answer: 7 then check")
    # R1-like endings
    add("b3/r1end", "204", T("7") + "### Final Answer\nThe number of such integers is $\\boxed{204}$.", True, "### Final Answer")
    add("b3/r1end", "204", T("7") + "The final answer is $\\boxed{204}$.", True, "final answer is box")
    add("b3/r1end", "204", T("7") + "The answer is \\(\\boxed{204}\\).", True, "\\( \\) box")
    add("b3/r1end", "\\frac{14}{3}", T("7") + "Thus, the value is \\(\\boxed{\\dfrac{14}{3}}\\).", True, "\\( dfrac")
    add("b3/r1end", "204", T("7") + "**Step 3.** Count: $12 \\cdot 17 = 204$.\n\n**Final Answer**\n\\[\n\\boxed{204}\n\\]", True, "steps")
    add("b3/r1end", "204", T("7") + "1. Compute $a = 12$.\n2. Compute $b = 17$.\n3. Multiply: $ab = 204$.\n\nThus, the answer is $\\boxed{204}$.",
        True, "numbered steps")
    add("b3/r1end", "204", T("7") + "Thus, the answer is $\\boxed{204}$.\n\n**Verification:** $12 \\times 17 = 204$, and $204 < 1000$.",
        True, "verification after box")
    add("b3/r1end", "204", T("7") + "Thus, the answer is $\\boxed{204}$.\n\n(Note: an earlier draft gave 240; that was a miscount.)",
        True, "note with old number after box")
    add("b3/r1end", "204", T("7") + "Thus, the answer is $\\boxed{240}$.\n\n(Note: an earlier draft gave 204; that was a miscount.)",
        False, "wrong box, note with gold after box")

    for c in cases:
        sys.stdout.write(json.dumps(c) + "\n")


if __name__ == "__main__":
    main()
