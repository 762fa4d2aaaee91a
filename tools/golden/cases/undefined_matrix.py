"""Every test and common filter applied to an undefined name (Jinja2 StrictUndefined semantics).

`items` is left out (Jinja2 prints a generator object's address). The cases undefined-attr-chain-is-defined,
undefined-attr-default and undefined-subscript-default were rewritten by hand to Kida's documented result
(kida-spec 2.6: default / is defined treat an UndefinedError anywhere in their operand as missing); regenerating
overwrites them, so restore them from git afterwards."""
from _h import c

TESTS = ["none", "string", "number", "iterable", "mapping", "sequence", "callable", "odd", "sameas none", "eq 1", "lower",
         "escaped", "boolean", "true", "in [1]", "divisibleby 2", "filter", "test"]
FILTERS = ["string", "length", "list", "e", "safe", "pprint", "upper", "first", "join", "int", "float", "abs", "trim", "default",
           "d('x')|upper", "count", "sort", "batch(2)|list", "select|list", "map('upper')|list", "attr('x')", "round", "wordcount"]
CASES = [c("undefined-is-%s" % t.split()[0], "{{ missing is %s }}" % t) for t in TESTS]
CASES += [c("undefined-filter-%s" % f.split("(")[0].split("|")[0], "[{{ missing|%s }}]" % f) for f in FILTERS]
CASES += [
    c("undefined-eq-none", "{{ missing == none }}"),
    c("undefined-ne", "{{ missing != 1 }}"),
    c("undefined-in-list", "{{ missing in [1] }}"),
    c("undefined-not", "{{ not missing }}"),
    c("undefined-ternary-condition", "{{ 1 if missing is defined else 2 }}"),
    c("undefined-attr-chain-is-defined", "{{ missing.a is defined }}"),
    c("undefined-attr-default", "{{ missing.a|default('x') }}"),
    c("undefined-subscript-default", "{{ missing['a']|default('x') }}"),
]

CATEGORIES = {"12-undefined": CASES}
