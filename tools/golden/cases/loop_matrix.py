"""Every loop.* member over every kind of iterable (list, string, dict, range, generator, filtered loop, recursive)."""
from _h import c

ITERS = {"list": "[10, 20, 30]", "string": "'xyz'", "dict": "{'a': 1, 'b': 2}", "range": "range(2, 8, 2)", "generator": "[1, 2, 3, 4]|select('even')",
         "single": "[7]", "filtered": "range(6) if x is odd", "nested-lists": "[[1, 2], [3]]", "map": "['a', 'b']|map('upper')"}
MEMBERS = ["loop.index", "loop.index0", "loop.revindex", "loop.revindex0", "loop.first", "loop.last", "loop.length",
           "loop.cycle('A', 'B')", "loop.depth", "loop.depth0", "loop.changed(x)", "loop.previtem if loop.previtem is defined else '-'",
           "loop.nextitem if loop.nextitem is defined else '-'"]
CASES = []
for iname, it in ITERS.items():
    body = "".join("{{ %s }}," % m for m in MEMBERS)
    CASES.append(c("loop-members-%s" % iname, "{% for x in " + it + " %}[" + body + "]{% endfor %}"))
    CASES.append(c("loop-members-%s-nested" % iname, "{% for y in [1, 2] %}{% for x in " + it + " %}{{ loop.index }}{{ loop.last }}{% endfor %}{{ loop.index }};{% endfor %}"))
CASES.append(c("loop-members-recursive", "{% for x in t recursive %}[{{ loop.depth }}{{ loop.index }}{{ loop.length }}{{ loop.last }}{{ loop.cycle('a', 'b') }}"
               "{% if x.c %}{{ loop(x.c) }}{% endif %}]{% endfor %}", {"t": [{"c": [{"c": []}, {"c": [{"c": []}]}]}, {"c": []}]}))
CASES.append(c("loop-in-macro-and-caller", "{% macro m(xs) %}{% for x in xs %}{{ caller(x, loop.index) }}{% endfor %}{% endmacro %}"
               "{% for o in 'ab' %}{% call(v, i) m([1, 2]) %}{{ o }}{{ v }}{{ i }}{{ loop.index }} {% endcall %}{% endfor %}"))
CASES.append(c("loop-in-filter-block", "{% filter upper %}{% for x in 'ab' %}{{ x }}{{ loop.index }}{% endfor %}{% endfilter %}"))
CASES.append(c("loop-in-set-block", "{% set s %}{% for x in 'ab' %}{{ loop.revindex }}{% endfor %}{% endset %}{{ s }}"))

CATEGORIES = {"09-loops": CASES}
