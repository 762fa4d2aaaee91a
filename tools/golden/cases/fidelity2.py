"""Issue 12 (language fidelity, round 2), runtime clusters: Python semantics (9), strict undefined in match (8),
{% autoescape %} blocks (7), macros and blocks (6), urlize (5). Jinja2 cases are checked against Jinja2 3.1.6;
k cases are Kida's own behaviour (kida-spec)."""
from _h import c, ct, k, kt

ORDERS = {"orders": [{"lines": [{"price": 2}, {"price": 3}]}, {"lines": [{"price": 10}]}]}

PY = [
    # cluster 9: list + tuple is a TypeError in Python (and in Jinja2); list + list and tuple + tuple concatenate
    c("fid2-list-plus-tuple", "{{ [1] + (2,) }}", error="runtime"),
    c("fid2-tuple-plus-list", "{{ (1,) + [2] }}", error="runtime"),
    c("fid2-list-plus-list-tuple-plus-tuple", "{{ [1] + [2] }}|{{ (1,) + (2,) }}|{{ xs + [3] }}", {"xs": [1, 2]}),
    # map(name, **kwargs) hands every keyword argument to the named filter
    c("fid2-map-filter-kwargs", "{{ orders|map(attribute='lines')|map('sum', attribute='price')|sum }}", ORDERS),
    c("fid2-map-filter-kwargs-list", "{{ orders|map(attribute='lines')|map('sum', attribute='price')|join(',') }}", ORDERS),
    c("fid2-map-join-kwarg", "{{ [['a', 'b'], ['c']]|map('join', d='-')|join('|') }}"),
    c("fid2-map-attribute-default", "{{ [{'a': 1}, {}]|map(attribute='a', default=0)|join(',') }}"),
    # the int/float filters (Jinja2's lenient forms)
    c("fid2-int-float-filters-lenient", "{{ 'x'|int }}|{{ 'x'|int(5) }}|{{ 'x'|float }}|{{ 'x'|float(1.5) }}|{{ '3'|int }}|{{ '2'|float }}"),
    # Kida: int()/float() are Python builtins (Jinja2 has no such globals)
    k("fid2-int-global", "{{ int(' 42 ') }}|{{ int('-7') }}|{{ int(3.9) }}|{{ int(true) }}|{{ int('ff', 16) }}|{{ int('0x1f', 0) }}|{{ int() }}",
      section="§4.3", expect="42|-7|3|1|255|31|0"),
    k("fid2-float-global", "{{ float('2.5') }}|{{ float() }}|{{ float(true) }}|{{ float(3) }}", section="§4.3", expect="2.5|0.0|1.0|3.0"),
    k("fid2-int-global-bad-literal", "{{ int('x') }}", section="§4.3", error="runtime"),
    k("fid2-int-global-float-string", "{{ int('3.5') }}", section="§4.3", error="runtime"),
    k("fid2-int-global-none", "{{ int(none) }}", section="§4.3", error="runtime"),
    k("fid2-float-global-bad", "{{ float('abc') }}", section="§4.3", error="runtime"),
    # Kida: |int and |float take strict=
    k("fid2-int-filter-strict", "{{ 'x'|int(strict=true) }}", section="§4.1 int", error="runtime"),
    k("fid2-float-filter-strict", "{{ 'x'|float(strict=true) }}", section="§4.1 float", error="runtime"),
    k("fid2-int-float-filter-strict-ok", "{{ '3'|int(strict=true) }}|{{ 2.7|int(strict=true) }}|{{ '2'|float(strict=true) }}",
      section="§4.1 int", expect="3|2|2.0"),
]

UNDEF = [
    # cluster 8: a strict undefined match subject raises instead of matching the wildcard
    k("fid2-match-undefined-name", "{% match undefined_name %}{% case _ %}m{% endmatch %}", section="§2.6", error="undefined"),
    k("fid2-match-undefined-attr", "{% match page.missing %}{% case _ %}m{% endmatch %}", {"page": {}}, section="§2.6", error="undefined"),
    k("fid2-match-none-subject", "{% match x %}{% case none %}none{% case _ %}other{% endmatch %}", {"x": None}, section="§3.8", expect="none"),
]

ESC = [
    # cluster 7: macro output is safe where the call site autoescapes; a set/macro inside the block stays inside
    c("fid2-autoescape-block-macro-off-env", "{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{% autoescape true %}{{ m('<i>') }}{% endautoescape %}", ae=False),
    c("fid2-autoescape-block-macro-on-env", "{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{% autoescape true %}{{ m('<i>') }}{% endautoescape %}"),
    c("fid2-autoescape-false-block-macro", "{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{% autoescape false %}{{ m('<i>') }}{% endautoescape %}"),
    c("fid2-autoescape-block-macro-inside", "{% autoescape true %}{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{{ m('<i>') }}{% endautoescape %}", ae=False),
    c("fid2-autoescape-block-caller", "{% macro w() %}[{{ caller() }}]{% endmacro %}{% autoescape true %}{% call w() %}<b>{{ '<i>' }}</b>{% endcall %}{% endautoescape %}", ae=False),
    c("fid2-autoescape-block-set-scoped", "{% set x = 0 %}{% autoescape true %}{% set x = 1 %}{{ x }}{% endautoescape %}|{{ x }}"),
    c("fid2-autoescape-block-set-not-leaking", "{% autoescape false %}{% set y = 1 %}{% endautoescape %}{{ y }}", error="undefined"),
    c("fid2-autoescape-block-macro-not-leaking", "{% autoescape false %}{% macro m() %}x{% endmacro %}{% endautoescape %}{{ m() }}", error="undefined"),
    c("fid2-autoescape-block-reads-outer", "{% set x = '<a>' %}{% autoescape false %}{{ x }}{% endautoescape %}{{ x }}"),
    c("fid2-autoescape-block-namespace", "{% set ns = namespace(v=1) %}{% autoescape true %}{% set ns.v = 2 %}{% endautoescape %}{{ ns.v }}"),
    c("fid2-autoescape-block-macro-value", "{% macro m() %}<b>{% endmacro %}{% autoescape true %}{% set x = m() %}{{ x }}|{{ m()|upper }}{% endautoescape %}", ae=False),
    c("fid2-autoescape-false-block-macro-value", "{% macro m() %}<b>{% endmacro %}{% autoescape false %}{% set x = m() %}{{ x|e }}{% endautoescape %}"),
    c("fid2-autoescape-block-function-value", "{% autoescape true %}{{ s.upper() }}|{{ '<i>'.upper() }}{% endautoescape %}", {"s": "<b>"}, ae=False),
    c("fid2-autoescape-block-set-block", "{% autoescape true %}{% set x %}<b>{% endset %}{{ x }}{% endautoescape %}", ae=False),
]

MACROS = [
    # cluster 6: a block inside a macro is a block of the template, rendered where the macro runs
    c("fid2-block-in-macro", "{% macro m() %}{% block b %}x{% endblock %}{% endmacro %}[{{ m() }}]"),
    c("fid2-block-in-macro-self", "{% macro m() %}{% block b %}x{% endblock %}{% endmacro %}{{ self.b() }}|{{ m() }}"),
    c("fid2-block-in-macro-scoped-sees-args", "{% macro m(a) %}{% block b scoped %}{{ a }}{% endblock %}{% endmacro %}[{{ m(1) }}]"),
    c("fid2-block-in-macro-unscoped-no-args", "{% macro m(a) %}{% block b %}{{ a }}{% endblock %}{% endmacro %}[{{ m(1) }}]", error="undefined"),
    c("fid2-block-in-call-block", "{% macro w() %}({{ caller() }}){% endmacro %}{% call w() %}{% block b %}cb{% endblock %}{% endcall %}"),
    ct("fid2-block-in-macro-overridden", {
        "template.html": "{% extends 'base.html' %}{% macro m() %}{% block c %}child{% endblock %}{% endmacro %}",
        "base.html": "[{% block c %}base{% endblock %}]"}),
    ct("fid2-block-in-macro-of-base", {
        "template.html": "{% extends 'base.html' %}{% block b %}child{% endblock %}",
        "base.html": "{% macro m() %}<{% block b %}base{% endblock %}>{% endmacro %}{{ m() }}{{ m() }}"}),
    # a declared caller parameter receives {% call %}'s caller, and its default otherwise
    c("fid2-caller-none-param", "{% macro m(caller=none) %}[{{ caller() if caller else 'no' }}]{% endmacro %}{% call m() %}body{% endcall %}{{ m() }}"),
    c("fid2-caller-none-param-with-args", "{% macro m(a, caller=none) %}[{{ a }}{{ caller() if caller else 'no' }}]{% endmacro %}{% call m(1) %}body{% endcall %}{{ m(2) }}{{ m(3, caller=none) }}"),
    c("fid2-caller-none-param-call-args", "{% macro m(caller=none) %}[{{ caller(5) if caller else 'no' }}]{% endmacro %}{% call(x) m() %}b{{ x }}{% endcall %}"),
    c("fid2-caller-none-param-is-none", "{% macro m(caller=none) %}[{{ caller is none }}]{% endmacro %}{{ m() }}"),
    # a scoped block inside a loop sees loop
    c("fid2-scoped-block-in-loop-sees-loop", "{% for i in [1, 2] %}{% block b scoped %}{{ loop.index }}{{ i }}{% endblock %}{% endfor %}"),
    c("fid2-scoped-block-in-loop-revindex", "{% for i in 'ab' %}{% block b scoped %}{{ loop.revindex }}{{ loop.first }}{% endblock %}{% endfor %}"),
    c("fid2-unscoped-block-in-loop", "{% for i in [1, 2] %}{% block b %}{{ loop.index }}{% endblock %}{% endfor %}", error="undefined"),
    ct("fid2-include-in-loop-loop-named", {
        "template.html": "{% for item in [1, 2] %}{{ loop.index }}{% include 'inc.html' %}{% endfor %}",
        "inc.html": "({{ loop.index }}:{{ item }})"}),
    ct("fid2-include-without-context-no-loop", {
        "template.html": "{% for i in [1, 2] %}{% include 'inc.html' without context %}{% endfor %}",
        "inc.html": "{{ loop is defined }}"}),
    # the loop reaches an include (with context) when the loop body names loop (Jinja2, and Kida: kida-spec D25)
    ct("fid2-include-in-loop-loop-named-in-block", {
        "template.html": "{% for i in [1, 2] %}{% if loop.first %}F{% endif %}{% include 'inc.html' %}{% endfor %}",
        "inc.html": "{{ loop.index }}/{{ loop.length }}/{{ i }};"}),
    ct("fid2-include-in-loop-loop-not-named", {
        "template.html": "{% for x in 'ab' %}{% include 'inc.html' %}{% endfor %}",
        "inc.html": "{{ loop.index }}"}, error="undefined"),
    ct("fid2-include-in-nested-loop", {
        "template.html": "{% for i in [1, 2] %}{% for j in 'ab' %}{{ loop.index0 }}{% include 'inc.html' %}{% endfor %}{% endfor %}",
        "inc.html": "{{ loop.index }}{{ j }}"}),
    ct("fid2-include-own-loop-shadows", {
        "template.html": "{% for i in [1, 2] %}{{ loop.index0 }}{% include 'inc.html' %}{% endfor %}",
        "inc.html": "{% for x in 'ab' %}{{ loop.index }}{% endfor %}{{ loop.index }}|"}),
    ct("fid2-child-block-base-loop-named", {
        "template.html": "{% extends 'base.html' %}{% block b %}<{{ loop.index }}{{ i }}>{% endblock %}",
        "base.html": "{% for i in 'xy' %}{% block b scoped %}{{ loop.index }}{% endblock %}{% endfor %}"}),
]

HTMX = [
    # cluster 1: Kida's HTMX tests and globals (kida-spec §4.2, §4.3); outside a request the globals are false / None
    k("fid2-hx-request-test-headers", "{{ req is hx_request }}|{{ req is hx_boosted }}|{{ req is hx_target('main') }}|{{ req is hx_target('x') }}",
      {"req": {"headers": {"HX-Request": "true", "HX-Target": "main", "HX-Boosted": "false"}}}, section="§4.2", expect="True|False|True|False"),
    k("fid2-hx-tests-by-value", "{{ true is hx_request }}|{{ '' is hx_request }}|{{ 1 is hx_boosted }}|{{ 'main' is hx_target('main') }}",
      section="§4.2", expect="True|False|True|True"),
    k("fid2-hx-globals-outside-request", "{{ hx_request() }}|{{ hx_boosted() }}|{{ hx_target() }}|{{ hx_trigger() }}",
      section="§4.3", expect="False|False|None|None"),
]

URLS = [
    "www.example.com", "example.com", "sub.example.org/path?q=1#f", "example.io", "http://example.com", "HTTPS://EXAMPLE.COM/X",
    "https://example.com/a_(b)", "(https://example.com/a)", "(see https://example.com).", "<https://example.com>",
    "https://example.com/<script>", "https://example.com/x&y=\"z\"", "mailto:me@example.com", "mailto:bad", "me@example.com.",
    "@me@example.com", "a:b@example.com", "www.me@example.com", "http://127.0.0.1:8080/x", "http://[::1]/", "http://999.1.1.1",
    "http://localhost", "ftp://files.example.com", "xn--bcher-kva.example", "http://xn--bcher-kva.xn--p1ai", "foo.bar",
    "trailing,commas,,", "https://example.com/path.", "((https://example.com/a))", "https://example.com/a)b)", "&lt;x&gt;",
    "line\nhttps://example.com\tx", "https://example.com/\u00e9t\u00e9", "example.com:99999", "www.x",
]

URLIZE = [
    c("fid2-urlize-words-" + str(i), "{{ s|urlize }}", {"s": u}) for i, u in enumerate(URLS)
] + [
    c("fid2-urlize-all-in-text", "{{ s|urlize }}", {"s": "Go to www.example.com, or example.org (or https://x.io/a). Mail me@example.com or mailto:you@example.net!"}),
    c("fid2-urlize-trim", "{{ s|urlize(10) }}|{{ s|urlize(trim_url_limit=3) }}|{{ s|urlize(0) }}|{{ s|urlize(-3) }}", {"s": "https://example.com/long/path www.example.com"}),
    c("fid2-urlize-trim-not-mail", "{{ s|urlize(3) }}", {"s": "me@example.com mailto:me@example.com"}),
    c("fid2-urlize-nofollow-target-rel", "{{ s|urlize(nofollow=true, target='_blank', rel='external noopener') }}", {"s": "www.example.com me@example.com"}),
    c("fid2-urlize-rel-escaped", "{{ s|urlize(rel=r, target=t) }}", {"s": "https://example.com", "r": "a\" b", "t": "_x\"<y>"}),
    c("fid2-urlize-empty-target", "{{ s|urlize(target='') }}", {"s": "https://example.com"}),
    c("fid2-urlize-extra-schemes", "{{ s|urlize(extra_schemes=['ftp://', 'tel:']) }}", {"s": "ftp://files.example tel:+123 tel: ftp://"}),
    c("fid2-urlize-bad-scheme", "{{ s|urlize(extra_schemes=['not a scheme']) }}", {"s": "x"}, error="runtime"),
    c("fid2-urlize-markup-input", "{{ s|safe|urlize }}", {"s": "<b>https://example.com/?a=1&amp;b=2</b> www.example.com"}),
    c("fid2-urlize-autoescape-off", "{{ s|urlize }}", {"s": "<https://example.com/?a=1&b=2>"}, ae=False),
    c("fid2-urlize-non-string", "{{ 12|urlize }}|{{ none|urlize }}"),
]

CATEGORIES = {
    "10-filters": URLIZE,
    "25-kida-divergent": HTMX,
    "17-macros": MACROS,
    "21-python-compat": PY,
    "12-undefined": UNDEF,
    "13-escaping": ESC,
}
