"""Binary operators over every pair of value kinds: the result or the error kind must match Jinja2.
`+` between a string and a non-string is left out (Kida concatenates, documented divergence)."""
from _h import c

KINDS = {"int": 7, "float": 2.5, "zero": 0, "bool": True, "none": None, "str": "ab", "list": [1, 2], "dict": {"k": 1}}
OPS = ["+", "-", "*", "/", "//", "%", "**", "~", "<", "==", "in", "and"]
CASES = []
for op in OPS:
    for ln, lv in KINDS.items():
        for rn, rv in KINDS.items():
            if op == "+" and (isinstance(lv, str) != isinstance(rv, str)):
                continue
            if (op == "in" and rn == "dict" and ln in ("list", "dict")) or (op == "%" and ln == "str" and rn in ("list", "dict")):
                continue  # CPython details: unhashable keys, str % mapping-like objects
            name = "op-%s-%s-%s" % ({"+": "add", "-": "sub", "*": "mul", "/": "div", "//": "floordiv", "%": "mod", "**": "pow",
                                     "~": "concat", "<": "lt", "==": "eq", "in": "in", "and": "and"}[op], ln, rn)
            CASES.append(c(name, "{{ a %s b }}" % op, {"a": lv, "b": rv}, ae=False))

CATEGORIES = {"03-arithmetic": CASES}
