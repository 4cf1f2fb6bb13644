#!/usr/bin/env python3
"""Writes the mixed 10,000-line input of the reward-scoring benchmark (docs/figures.md, "Reward scoring").

Golds are MATH-500's answers (data/math500/test.jsonl); each line is one of five kinds, in turn:
exact (the gold itself), a sentence around it ("The answer is ..."), hostile (deep brackets, a 5,000-digit power,
nested fractions, a power tower, 20,000 characters of noise), a wrong integer, and one of the verifier's newer forms
(a +- pair, a matrix, a union, an inequality to solve). Deterministic: the same file every run.

    python3 bench/reward-mix.py > /tmp/reward-mix.jsonl
    ./r1 reward score --task math --input /tmp/reward-mix.jsonl > /tmp/scores.jsonl
"""
import json
import random
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
golds = [json.loads(line)["answer"] for line in (root / "data/math500/test.jsonl").read_text().splitlines() if line.strip()]
rng = random.Random(42)
hostile = [
    "(" * 3000 + "1" + ")" * 3000,
    "9^{" + "9" * 5000 + "}",
    "\\frac{" * 400 + "1" + "}{2}" * 400,
    "10^{-10^{10}}",
    "2^{2^{2^{2^{2^{2}}}}}",
    "x" * 20000,
]
newer = [
    ("1 \\pm \\sqrt{2}", "1-\\sqrt{2}, 1+\\sqrt{2}"),
    ("\\begin{pmatrix} 1/2 \\\\ 3 \\end{pmatrix}", "\\begin{bmatrix} 0.5 \\\\ 3 \\end{bmatrix}"),
    ("(-\\infty,-2)\\cup(3,\\infty)", "x<-2 \\text{ or } x>3"),
    ("x < 1", "-x > -1"),
]
out = sys.stdout
for i in range(10_000):
    gold = golds[i % len(golds)]
    kind = i % 5
    if kind == 0:
        answer = gold
    elif kind == 1:
        answer = f"The answer is ${gold}$."
    elif kind == 2:
        answer = hostile[(i // 5) % len(hostile)]
    elif kind == 3:
        answer = str(rng.randint(-10**6, 10**6))
    else:
        gold, answer = newer[(i // 5) % len(newer)]
    out.write(json.dumps({"gold": gold, "completion": f"<think>work</think> <answer>{answer}</answer>"}) + "\n")
