"""Operator precedence/associativity probes: seeded random expressions over literals, kept when Jinja2 renders
them (expressions Jinja2 rejects are dropped, which also avoids Kida's `str + non-str` divergence)."""
import random

from jinja2 import Environment, StrictUndefined

from _h import c

rng = random.Random(20261125)
ATOMS = ["0", "1", "2", "3", "-1", "2.5", "0.5", "true", "false", "none", "'a'", "'b2'", "''", "[1, 2]", "[]", "x", "y", "s"]
BIN = ["+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "not in"]
UN = ["-", "not ", "+"]
POST = ["|abs", "|string", "|length", "|int", "|float", "|lower", " is odd", " is defined", " is none", " is string",
        "|default(9)", "[0]", "|first", "|list|length", " is sameas none", "|round"]
CTX = {"x": 4, "y": -3, "s": "xyz"}
env = Environment(undefined=StrictUndefined, autoescape=True)


def gen(depth):
    r = rng.random()
    if depth <= 0 or r < 0.25:
        return rng.choice(ATOMS)
    if r < 0.35:
        return rng.choice(UN) + gen(depth - 1)
    if r < 0.5:
        return gen(depth - 1) + rng.choice(POST)
    if r < 0.6:
        return "(" + gen(depth - 1) + ")"
    if r < 0.67:
        return gen(depth - 1) + " if " + gen(depth - 1) + " else " + gen(depth - 1)
    return gen(depth - 1) + " " + rng.choice(BIN) + " " + gen(depth - 1)


def ok(expr):
    from jinja2 import nodes
    try:
        # Jinja2 parses a misplaced `not` as a variable named "not"; Kida reserves it. Skip those.
        if any(n.name in ("not", "and", "or", "in", "is") for n in env.parse("{{ " + expr + " }}").find_all(nodes.Name)):
            return False
        out = env.from_string("{{ " + expr + " }}").render(**CTX)
    except Exception:
        return False
    # avoid CPython-specific identity results and huge outputs
    return len(out) < 200 and "sameas" not in expr or (len(out) < 200 and expr.count("sameas") and "none" in expr)


CASES, seen = [], set()
while len(CASES) < 120:
    e = gen(4)
    if e in seen or len(e) > 90 or not ok(e):
        continue
    seen.add(e)
    CASES.append(c("precedence-%03d" % len(CASES), "{{ " + e + " }}", CTX))

CATEGORIES = {"03-arithmetic": CASES}
