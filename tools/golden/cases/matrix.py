"""Programmatic probes: every string filter over a set of awkward strings, every number filter/operator over
awkward numbers. One case per filter/operator so a failure points at one function."""
from _h import c

STRS = ["", "hello world", "  Mixed  Case  ", "a-b_c.d e", "it's \"quoted\" <tag> & more", "line1\nline2\n\nline4\n",
        "ÉCOLE straße ǆ", "x" * 30, "one,two;;three", "\t tab\t", "CamelCaseWord", "123 abc 4.5"]
NUMS = [0, 1, -1, 7, -7, 2.5, -2.5, 0.1, 1e-07, 123456789, 1e16, 9007199254740993, 3.0, 0.5, 1.5, 2.675, -0.0, 1234.5678]

STR_FILTERS = {
    "capitalize": "s|capitalize", "lower": "s|lower", "upper": "s|upper", "title": "s|title", "trim": "s|trim",
    "trim-chars": "s|trim(' x.')", "center-20": "s|center(20)", "center-5": "s|center(5)", "striptags": "s|striptags",
    "wordcount": "s|wordcount", "length": "s|length", "reverse": "s|reverse", "list-join": "s|list|join('/')",
    "first": "s|first if s else '-'", "last": "s|last if s else '-'", "truncate-10": "s|truncate(10)",
    "truncate-10-kill": "s|truncate(10, true)", "truncate-8-leeway0": "s|truncate(8, false, '..', 0)",
    "wordwrap-8": "s|wordwrap(8)", "wordwrap-5-nobreak": "s|wordwrap(5, false)", "indent-2": "s|indent(2)",
    "indent-first-blank": "s|indent(3, true, true)", "urlencode": "s|urlencode", "escape": "s|e", "string": "s|string",
    "replace-space": "s|replace(' ', '_')", "replace-count": "s|replace('e', 'E', 1)", "upper-method": "s.upper()",
    "split": "s.split()|join('|')", "split-comma": "s.split(',')|join('|')", "strip-method": "s.strip()",
    "title-method": "s.title()", "capitalize-method": "s.capitalize()", "swapcase": "s.swapcase()",
    "slice-2-5": "s[2:5]", "slice-rev-step": "s[::-2]", "slice-neg": "s[-3:]", "in": "'o' in s",
    "startswith": "s.startswith('h')", "count-o": "s.count('o')", "find-e": "s.find('e')", "isalpha": "s.isalpha()",
    "isupper": "s.isupper()", "islower": "s.islower()", "isspace": "s.isspace()", "isdigit": "s.isdigit()",
    "zfill": "s.zfill(4)", "ljust": "s.ljust(6, '.')", "lstrip-rstrip": "s.lstrip() ~ '|' ~ s.rstrip()",
    "sort-list": "s|list|sort|join", "unique-list": "s|list|unique|join", "dictsort-free-max": "(s|list|max) if s else '-'",
    "batch": "s|batch(4)|map('join')|join('/')", "slice-filter": "s|slice(3)|map('join')|join('/')",
    "int": "s|int", "float": "s|float", "tojson-free-repr": "[s]", "pprint": "s|pprint", "tilde": "s ~ '!'",
    "mul": "s * 2", "compare": "s < 'm'", "forceescape": "s|forceescape", "urlize": "s|urlize",
    "xmlattr-value": "{'data-v': s}|xmlattr",
}

NUM_EXPRS = {
    "print": "n", "abs": "n|abs", "int": "n|int", "float": "n|float", "round": "n|round", "round-1": "n|round(1)",
    "round-2-floor": "n|round(2, 'floor')", "round-ceil": "n|round(0, 'ceil')", "round-neg": "n|round(-1)",
    "filesizeformat": "n|filesizeformat", "filesizeformat-binary": "n|filesizeformat(true)", "string": "n|string",
    "string-length": "n|string|length", "tilde": "n ~ ''", "join": "[n, n]|join(',')", "mul2": "n * 2",
    "floordiv3": "n // 3", "mod3": "n % 3", "div4": "n / 4", "pow2": "n ** 2", "neg": "-n", "plus-half": "n + 0.5",
    "format-method": "'{:.3f}'.format(n)", "format-method-g": "'{}'.format(n)", "percent-s": "'%s' % n",
    "percent-d": "'%d' % n", "percent-e": "'%.2e' % n", "repr-in-list": "[n]", "compare": "n > 1", "eq-int": "n == 1",
    "bool": "n and 'T' or 'F'", "sum-list": "[n, 1]|sum", "max-list": "[n, 1]|max", "min-list": "[n, 1]|min",
    "sort-list": "[n, 1, -1]|sort|join(',')", "is-odd": "(n is odd) if n is integer else '-'", "is-number": "n is number",
    "divisibleby": "n is divisibleby 2 if n else '-'", "center": "n|center(9)", "range": "range(n|int if n < 20 else 1)|length",
    "dict-key": "{n: 'v'}[n]", "in-list": "n in [0, 1, 2.5]", "to-int-float": "(n|int)|float",
}

STR_CASES, NUM_CASES = [], []
for name, expr in STR_FILTERS.items():
    STR_CASES.append(c("matrix-str-" + name, "{% for s in strs %}[{{ " + expr + " }}]{% endfor %}", {"strs": STRS}))
for name, expr in NUM_EXPRS.items():
    NUM_CASES.append(c("matrix-num-" + name, "{% for n in nums %}[{{ " + expr + " }}]{% endfor %}", {"nums": NUMS}))

CATEGORIES = {"10-filters": STR_CASES, "03-arithmetic": NUM_CASES}

LISTS = [[], [3, 1, 2], ["b", "A", "c", "a"], [1.5, -2, 0, 2], ["x"], [[2, "b"], [1, "a"], [2, "a"]], ["", "z", " ", "Z"],
         [True, False, True], ["é", "e", "E", "f"], [10, 9, 100, 1]]
LIST_EXPRS = {
    "sort": "xs|sort|list", "sort-reverse": "xs|sort(reverse=true)|list", "sort-cs": "xs|sort(case_sensitive=true)|list",
    "unique": "'-' if xs and xs[0] is sequence and xs[0] is not string else xs|unique|list",
    "unique-cs": "'-' if xs and xs[0] is sequence and xs[0] is not string else xs|unique(true)|list", "min": "xs|min if xs else '-'",
    "max": "xs|max if xs else '-'", "max-cs": "xs|max(case_sensitive=true) if xs else '-'", "length": "xs|length",
    "first": "xs|first if xs else '-'", "last": "xs|last if xs else '-'", "reverse": "xs|reverse|list",
    "batch-2": "xs|batch(2)|list", "batch-3-fill": "xs|batch(3, 0)|list", "slice-2": "xs|slice(2)|list",
    "slice-3-fill": "xs|slice(3, none)|list", "select": "xs|select|list", "reject": "xs|reject|list",
    "map-string": "xs|map('string')|join('|')", "join": "xs|join(', ')", "list": "xs|list", "string": "xs|string",
    "count-filter": "xs|count", "in": "'a' in xs", "index0": "xs[0] if xs else '-'", "slice-rev": "xs[::-1]",
    "slice-mid": "xs[1:-1]", "concat": "xs + ['!']", "repeat": "xs * 2", "eq": "xs == xs|list", "truthy": "xs and 'T' or 'F'",
    "loop-last": "xs|join(',') if xs|length < 2 else xs[-1]", "pprint": "xs|pprint", "random-len": "[xs|random]|length if xs else 0",
}
LIST_CASES = []
for name, expr in LIST_EXPRS.items():
    LIST_CASES.append(c("matrix-list-" + name, "{% for xs in lists %}[{{ " + expr + " }}]{% endfor %}", {"lists": LISTS}, ae=False))

DICTS = [{}, {"b": 1, "a": 2}, {"B": "x", "a": "Y", "c": "z"}, {"k": None, "n": 0}, {"2": "two", "10": "ten", "1": "one"}]
DICT_EXPRS = {
    "items": "d|items|list", "dictsort": "d|dictsort", "dictsort-cs": "d|dictsort(true)", "dictsort-value": "d|dictsort(false, 'value') if d != {'k': none, 'n': 0} else '-'",
    "dictsort-reverse": "d|dictsort(reverse=true)", "list": "d|list", "length": "d|length", "keys": "d.keys()|list",
    "values": "d.values()|list", "join": "d|join(',')", "sort": "d|sort", "first": "d|first if d else '-'",
    "string": "d|string", "in": "'a' in d", "get": "d.get('a', '-')", "eq": "d == {'b': 1, 'a': 2}", "truthy": "d and 'T' or 'F'",
    "map-upper": "d|map('upper')|join", "select": "d|select|list", "sum-values": "d.values()|select('number')|sum",
    "max-key": "d|max if d else '-'", "unique": "d|unique|list", "reverse": "d|reverse|list", "batch": "d|batch(2)|list",
}
DICT_CASES = []
for name, expr in DICT_EXPRS.items():
    DICT_CASES.append(c("matrix-dict-" + name, "{% for d in dicts %}[{{ " + expr + " }}]{% endfor %}", {"dicts": DICTS}, ae=False))

CATEGORIES["10-filters"] = STR_CASES + LIST_CASES + DICT_CASES
