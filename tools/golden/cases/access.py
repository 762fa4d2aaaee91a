from _h import c

ACCESS = [
    c("dot-integer-index-list", "{{ xs.0 }}{{ xs.2 }}", {"xs": ["a", "b", "c"]}),
    c("dot-integer-index-string", "{{ s.1 }}", {"s": "abc"}),
    c("dot-integer-on-dict-string-key", "{{ d.1|default('none') }}", {"d": {"1": "one"}}),
    c("dot-integer-nested", "{{ rows.1.name }}", {"rows": [{"name": "a"}, {"name": "b"}]}),
    c("subscript-string-key-with-space", "{{ d['a b'] }}", {"d": {"a b": 1}}),
    c("subscript-dash-key", "{{ d['x-y'] }}", {"d": {"x-y": 2}}),
    c("subscript-attr-fallback", "{{ d['upper'] is defined }}|{{ 'abc'['upper'] is defined }}", {"d": {}}),
    c("attr-then-subscript-mix", "{{ a['b'].c[0]['d'] }}", {"a": {"b": {"c": [{"d": "deep"}]}}}),
    c("subscript-with-expression", "{{ xs[i + 1] }}|{{ xs[-i] }}|{{ d['k' ~ i] }}", {"xs": [1, 2, 3], "i": 1, "d": {"k1": "K"}}),
    c("subscript-float-index-errors", "{{ xs[1.0] }}", {"xs": [1, 2]}),
    c("subscript-bool-index", "{{ xs[true] }}", {"xs": [1, 2]}),
    c("negative-index-out-of-range", "{{ xs[-5] is defined }}", {"xs": [1]}),
    c("slice-of-undefined-errors", "{{ missing[1:] }}"),
    c("dict-with-dotted-key", "{{ d['a.b'] }}", {"d": {"a.b": 3}}),
    c("list-len-via-filter-and-attr", "{{ xs|length }}", {"xs": [[]]}),
    c("string-methods-on-context-values", "{{ u.name.upper() }}|{{ u.tags|join(',')|upper }}", {"u": {"name": "ada", "tags": ["x", "y"]}}),
    c("none-subscript-errors", "{{ x['a'] }}", {"x": None}),
    c("list-attr-missing-errors", "{{ xs.nope }}", {"xs": []}),
    c("bool-context-values", "{{ t and f }}|{{ t or f }}|{{ not f }}", {"t": True, "f": False}),
    c("nested-list-of-lists-index", "{{ m[1][0] }}{{ m[0][-1] }}", {"m": [[1, 2], [3, 4]]}),
    c("unicode-key", "{{ d['ключ'] }}", {"d": {"ключ": "значение"}}),
]

CATEGORIES = {"01-variables": ACCESS}
