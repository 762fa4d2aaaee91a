from _h import c, ct, k

PEOPLE = [
    {"name": "alice", "city": "Oslo", "age": 31, "admin": True},
    {"name": "Bob", "city": "Lima", "age": 25, "admin": False},
    {"name": "carol", "city": "oslo", "age": 40, "admin": False},
    {"name": "Dave", "city": "Lima", "age": 25, "admin": True},
]

FILTERS = [
    # abs
    c("abs-int-float", "{{ -3|abs }}|{{ -2.5|abs }}|{{ 4|abs }}|{{ n|abs }}", {"n": -7}),
    c("abs-negative-zero", "{{ -0.0|abs }}"),
    c("abs-string-errors", "{{ 'x'|abs }}"),
    # attr
    c("attr-namespace", "{% set ns = namespace(x=5) %}{{ ns|attr('x') }}"),
    c("attr-missing-is-undefined", "{{ (d|attr('nope')) is defined }}", {"d": {}}),
    # batch
    c("batch-basic", "{% for row in items|batch(3) %}[{{ row|join(',') }}]{% endfor %}", {"items": [1, 2, 3, 4, 5, 6, 7]}),
    c("batch-fill", "{% for row in items|batch(3, '-') %}[{{ row|join(',') }}]{% endfor %}", {"items": [1, 2, 3, 4]}),
    c("batch-exact", "{{ [1, 2, 3, 4]|batch(2)|list|length }}"),
    c("batch-empty", "{{ []|batch(2)|list|length }}"),
    c("batch-fill-keyword", "{% for row in 'abcde'|batch(2, fill_with='.') %}{{ row|join }}{% endfor %}"),
    # capitalize
    c("capitalize", "{{ 'hELLO wORLD'|capitalize }}|{{ ''|capitalize }}|{{ '1abc'|capitalize }}"),
    # center
    c("center", "[{{ 'ab'|center(6) }}][{{ 'abc'|center(6) }}][{{ 'abcdef'|center(3) }}]"),
    c("center-default-width", "[{{ 'x'|center }}]"),
    c("center-keyword", "[{{ 'ab'|center(width=5) }}]"),
    # default
    c("default-undefined", "{{ missing|default('fb') }}"),
    c("default-defined", "{{ v|default('fb') }}", {"v": "set"}),
    c("default-boolean", "{{ ''|default('fb', true) }}|{{ 0|default('fb', boolean=true) }}|{{ false|d('fb', true) }}"),
    c("default-boolean-truthy-kept", "{{ 'x'|default('fb', true) }}"),
    c("default-false-kept", "{{ v|default('fb') }}|{{ z|default('fb') }}", {"v": False, "z": 0}),
    c("default-missing-attr", "{{ user.nick|default(user.name) }}", {"user": {"name": "ada"}}),
    c("default-chained", "{{ a|default(b)|default('c') }}"),
    c("default-escaping", "{{ missing|default('<b>') }}"),
    c("default-list", "{{ missing|default([1, 2])|join('+') }}"),
    # dictsort
    c("dictsort-default", "{% for k, v in d|dictsort %}{{ k }}{{ v }}{% endfor %}", {"d": {"b": 2, "A": 1, "c": 3}}),
    c("dictsort-case-sensitive", "{% for k, v in d|dictsort(true) %}{{ k }}{% endfor %}", {"d": {"b": 2, "A": 1, "a": 0, "C": 3}}),
    c("dictsort-by-value", "{% for k, v in d|dictsort(by='value') %}{{ k }}{% endfor %}", {"d": {"a": 3, "b": 1, "c": 2}}),
    c("dictsort-reverse", "{% for k, v in d|dictsort(reverse=true) %}{{ k }}{% endfor %}", {"d": {"a": 3, "b": 1, "c": 2}}),
    c("dictsort-value-case", "{% for k, v in d|dictsort(false, 'value') %}{{ v }}{% endfor %}", {"d": {"a": "B", "b": "a", "c": "C"}}),
    c("dictsort-by-invalid-errors", "{{ d|dictsort(by='x') }}", {"d": {"a": 1}}),
    # escape / e / forceescape
    c("escape-all-chars", "{{ s|e }}", {"s": "<a href=\"x\">'&'</a>"}, ae=False),
    c("escape-double-escape-safe", "{{ s|e|e }}", {"s": "<"}),
    c("escape-markup-untouched", "{{ s|safe|escape }}", {"s": "<b>"}, ae=False),
    c("escape-number", "{{ 5|e }}|{{ none|e }}", ae=False),
    c("forceescape-markup", "{{ s|safe|forceescape }}", {"s": "<b>&amp;"}),
    # filesizeformat
    c("filesizeformat-bytes", "{{ 0|filesizeformat }}|{{ 1|filesizeformat }}|{{ 999|filesizeformat }}"),
    c("filesizeformat-decimal", "{{ 1000|filesizeformat }}|{{ 1500|filesizeformat }}|{{ 1000000|filesizeformat }}|{{ 2500000000|filesizeformat }}"),
    c("filesizeformat-binary", "{{ 1024|filesizeformat(true) }}|{{ 1536|filesizeformat(binary=true) }}|{{ 1048576|filesizeformat(true) }}|{{ 1000|filesizeformat(true) }}"),
    c("filesizeformat-large", "{{ 1e15|filesizeformat }}|{{ 1e27|filesizeformat }}|{{ (2 ** 80)|filesizeformat(true) }}"),
    c("filesizeformat-string", "{{ '2048'|filesizeformat }}"),
    c("filesizeformat-float", "{{ 1234.5|filesizeformat }}|{{ 12.7|filesizeformat }}"),
    # first / last
    c("first-last-list", "{{ xs|first }}{{ xs|last }}", {"xs": [1, 2, 3]}),
    c("first-last-string", "{{ 'abc'|first }}{{ 'abc'|last }}"),
    c("first-of-dict", "{{ {'a': 1, 'b': 2}|first }}"),
    c("first-of-generator", "{{ [3, 1, 2]|sort|first }}|{{ range(5, 8)|last }}"),
    # float
    c("float-filter", "{{ '3.5'|float }}|{{ 2|float }}|{{ 'x'|float }}|{{ 'x'|float(1.5) }}"),
    c("float-whitespace-exp", "{{ ' 2.5 '|float }}|{{ '1e3'|float }}|{{ '-0'|float }}"),
    c("float-default-keyword", "{{ 'nope'|float(default=9) }}"),
    c("float-inf-string", "{{ 'inf'|float }}|{{ 'nan'|float }}"),
    # groupby
    c("groupby-basic", "{% for g in people|groupby('city') %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join(',') }};{% endfor %}", {"people": PEOPLE}),
    c("groupby-unpack", "{% for city, items in people|groupby('age') %}{{ city }}={{ items|length }} {% endfor %}", {"people": PEOPLE}),
    c("groupby-case-insensitive", "{% for g in people|groupby('city', case_sensitive=false) %}{{ g.grouper }}({{ g.list|length }}) {% endfor %}", {"people": PEOPLE}),
    c("groupby-default", "{% for g in rows|groupby('k', default='none') %}{{ g.grouper }}:{{ g.list|length }} {% endfor %}", {"rows": [{"k": "a"}, {}, {"k": "a"}, {"k": "b"}]}),
    c("groupby-nested-path", "{% for g in rows|groupby('m.t') %}{{ g.grouper }}{{ g.list|length }}{% endfor %}", {"rows": [{"m": {"t": 2}}, {"m": {"t": 1}}, {"m": {"t": 2}}]}),
    c("groupby-index-path", "{% for g in rows|groupby(0) %}{{ g.grouper }}{{ g.list|length }}{% endfor %}", {"rows": [["x", 1], ["y", 2], ["x", 3]]}),
    c("groupby-missing-errors", "{% for g in rows|groupby('k') %}{{ g.grouper }}{% endfor %}", {"rows": [{"k": 1}, {}]}),
    # indent
    c("indent-default", "{{ s|indent }}", {"s": "a\nb\nc"}),
    c("indent-width-first", "{{ s|indent(2, true) }}", {"s": "a\nb"}),
    c("indent-first-keyword", "{{ s|indent(width=3, first=true) }}", {"s": "a\nb"}),
    c("indent-blank-lines", "{{ s|indent(2) }}|{{ s|indent(2, blank=true) }}", {"s": "a\n\nb\n"}),
    c("indent-string-width", "{{ s|indent('> ') }}", {"s": "a\nb"}),
    c("indent-markup", "{{ s|safe|indent(2) }}", {"s": "<p>\n<b>"}),
    c("indent-crlf", "{{ s|indent(1) }}", {"s": "a\r\nb"}),
    # int
    c("int-filter", "{{ '42'|int }}|{{ 3.9|int }}|{{ -3.9|int }}|{{ 'x'|int }}|{{ 'x'|int(7) }}"),
    c("int-float-string", "{{ '3.9'|int }}|{{ ' 12 '|int }}|{{ '1e3'|int }}"),
    c("int-base", "{{ 'ff'|int(base=16) }}|{{ '0x1A'|int(0, 16) }}|{{ '101'|int(base=2) }}|{{ '0o17'|int(0, 8) }}"),
    c("int-bool", "{{ true|int }}|{{ false|int }}"),
    c("int-default-keyword", "{{ 'nope'|int(default=-1) }}"),
    c("int-big-string", "{{ '123456789012345678901234567890'|int }}"),
    c("int-arith", "{{ '5'|int + 3 }}"),
    # items
    c("items-filter", "{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}", {"d": {"x": 1, "y": 2}}),
    c("items-undefined-empty", "{% for k, v in missing|items %}x{% else %}none{% endfor %}"),
    # join
    c("join-basic", "{{ [1, 2, 3]|join }}|{{ [1, 2, 3]|join(', ') }}"),
    c("join-attribute", "{{ people|join(', ', attribute='name') }}", {"people": PEOPLE}),
    c("join-escapes-items", "{{ xs|join('<br>') }}", {"xs": ["<a>", "b"]}),
    c("join-markup-separator", "{{ xs|join(sep|safe) }}", {"xs": ["<a>", "b"], "sep": "<br>"}),
    c("join-markup-items", "{{ [a|safe, b]|join(', ') }}", {"a": "<i>x</i>", "b": "<y>"}),
    c("join-autoescape-off", "{{ xs|join('<br>') }}", {"xs": ["<a>", "b"]}, ae=False),
    c("join-floats-none", "{{ [1.0, none, true, 0.1]|join(' ') }}"),
    c("join-string", "{{ 'abc'|join('-') }}"),
    c("join-nested-attribute", "{{ rows|join(',', attribute='a.b') }}", {"rows": [{"a": {"b": 1}}, {"a": {"b": 2}}]}),
    # length / count
    c("length-variants", "{{ 'abc'|length }}|{{ [1, 2]|length }}|{{ {'a': 1}|length }}|{{ ''|count }}"),
    c("length-undefined-errors", "{{ missing|length }}"),
    c("length-int-errors", "{{ 5|length }}"),
    # list
    c("list-string", "{{ 'abc'|list }}"),
    c("list-dict-keys", "{{ {'a': 1, 'b': 2}|list }}"),
    c("list-range", "{{ range(3)|list }}"),
    # lower / upper
    c("lower-upper", "{{ 'MiXeD'|lower }}|{{ 'MiXeD'|upper }}"),
    c("upper-escapes", "{{ '<b>'|upper }}"),
    c("upper-markup-keeps-safe", "{{ s|safe|upper }}", {"s": "<b>x</b>"}),
    # map
    c("map-attribute", "{{ people|map(attribute='name')|join(',') }}", {"people": PEOPLE}),
    c("map-filter", "{{ ['a', 'b']|map('upper')|join }}"),
    c("map-filter-args", "{{ ['a', 'b']|map('replace', 'a', 'x')|join }}"),
    c("map-filter-kwargs", "{{ [1.234, 2.5]|map('round', precision=1)|join(' ') }}"),
    c("map-int", "{{ ['1', '2', 'x']|map('int')|sum }}"),
    c("map-attribute-default", "{{ rows|map(attribute='v', default=0)|list }}", {"rows": [{"v": 1}, {}, {"v": 3}]}),
    c("map-nested-attribute", "{{ rows|map(attribute='a.b')|join }}", {"rows": [{"a": {"b": "x"}}, {"a": {"b": "y"}}]}),
    c("map-index-attribute", "{{ rows|map(attribute='0')|join }}", {"rows": [["a", 1], ["b", 2]]}),
    c("map-missing-attr-errors", "{{ rows|map(attribute='v')|join }}", {"rows": [{"v": 1}, {}]}),
    c("map-unknown-filter-errors", "{{ [1]|map('nosuchfilter')|join }}"),
    c("map-length", "{{ [[1], [1, 2]]|map('length')|join }}"),
    c("map-string", "{{ [1, 2.0]|map('string')|join('|') }}"),
    # max / min
    c("max-min-numbers", "{{ [3, 1, 2]|max }}{{ [3, 1, 2]|min }}"),
    c("max-min-strings-case", "{{ ['b', 'C', 'a']|max }}{{ ['b', 'C', 'a']|min }}|{{ ['b', 'C', 'a']|max(case_sensitive=true) }}"),
    c("max-min-attribute", "{{ (people|max(attribute='age')).name }}|{{ (people|min(attribute='age')).name }}", {"people": PEOPLE}),
    c("max-empty", "{{ []|max is defined }}"),
    c("max-floats", "{{ [1, 2.5, 2]|max }}"),
    # pprint
    c("pprint-values", "{{ 5|pprint }}|{{ 'x'|pprint }}|{{ none|pprint }}", ae=False),
    c("pprint-list", "{{ [1, 'a']|pprint }}", ae=False),
    c("pprint-dict-sorted", "{{ {'b': 1, 'a': 2}|pprint }}", ae=False),
    # random
    c("random-single", "{{ [7]|random }}|{{ 'z'|random }}"),
    # replace
    c("replace-basic", "{{ 'aaa'|replace('a', 'b') }}|{{ 'aaa'|replace('a', 'b', 2) }}"),
    c("replace-count-keyword", "{{ 'aaa'|replace('a', 'b', count=1) }}"),
    c("replace-empty-old", "{{ 'ab'|replace('', '-') }}"),
    c("replace-escaping", "{{ s|replace('x', '<') }}|{{ s|safe|replace('x', '<') }}", {"s": "a&x"}),
    c("replace-markup-arg", "{{ s|safe|replace('x', y|safe) }}", {"s": "<x>", "y": "<b>"}),
    c("replace-not-found", "{{ 'abc'|replace('z', 'y') }}"),
    # reverse
    c("reverse-string", "{{ 'abc'|reverse }}"),
    c("reverse-list", "{{ [1, 2, 3]|reverse|join }}"),
    c("reverse-range", "{{ range(3)|reverse|join }}"),
    # round
    c("round-default", "{{ 2.5|round }}|{{ 3.5|round }}|{{ 2.4|round }}|{{ -2.5|round }}"),
    c("round-precision", "{{ 3.14159|round(2) }}|{{ 2.675|round(2) }}|{{ 1234.5|round(-2) }}"),
    c("round-methods", "{{ 2.1|round(method='ceil') }}|{{ 2.9|round(0, 'floor') }}|{{ -2.5|round(method='ceil') }}|{{ 2.55|round(1, 'floor') }}"),
    c("round-int", "{{ 42|round }}|{{ 42|round(2) }}|{{ 42|round(method='floor') }}"),
    c("round-then-int", "{{ 2.7|round|int }}"),
    c("round-invalid-method-errors", "{{ 2.5|round(method='up') }}"),
    c("round-half-even-cases", "{{ 0.5|round }}|{{ 1.5|round }}|{{ 0.125|round(2) }}|{{ 0.375|round(2) }}"),
    # safe
    c("safe", "{{ s|safe }}|{{ s }}", {"s": "<b>"}),
    c("safe-number", "{{ 5|safe }}"),
    # slice
    c("slice-basic", "{% for col in range(7)|slice(3) %}[{{ col|join }}]{% endfor %}"),
    c("slice-fill", "{% for col in range(7)|slice(3, 'x') %}[{{ col|join }}]{% endfor %}"),
    c("slice-more-slices-than-items", "{% for col in [1, 2]|slice(4) %}[{{ col|join }}]{% endfor %}"),
    c("slice-even", "{% for col in 'abcdef'|slice(2) %}[{{ col|join }}]{% endfor %}"),
]

CATEGORIES = {"10-filters": FILTERS}
