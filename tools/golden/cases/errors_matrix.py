"""Errors raised inside every kind of construct: the error kind must survive (both compile modes)."""
from _h import c, ct

ERRS = {"undefined": "{{ nothing }}", "runtime": "{{ 1 // 0 }}", "notfound": "{% include 'nope.html' %}",
        "undefattr": "{{ d.missing }}", "typeerror": "{{ 'a' < 1 }}"}
WRAPS = {
    "filter-block": "{% filter upper %}a{E}b{% endfilter %}",
    "set-block": "{% set x %}a{E}b{% endset %}{{ x }}",
    "set-block-unused": "{% set x %}a{E}b{% endset %}ok",
    "call-body": "{% macro m() %}<{{ caller() }}>{% endmacro %}{% call m() %}{E}{% endcall %}",
    "macro-body": "{% macro m() %}{E}{% endmacro %}{{ m() }}",
    "macro-in-filter": "{% macro m() %}{E}{% endmacro %}{% filter upper %}{{ m() }}{% endfilter %}",
    "loop-body": "{% for i in [1, 2] %}{{ i }}{E}{% endfor %}",
    "loop-else": "{% for i in [] %}{% else %}{E}{% endfor %}",
    "recursive-loop": "{% for n in [[1]] recursive %}{% if n is sequence %}{{ loop(n) }}{% else %}{E}{% endif %}{% endfor %}",
    "if-body": "{% if true %}{E}{% endif %}",
    "with-body": "{% with a = 1 %}{E}{% endwith %}",
    "autoescape-body": "{% autoescape false %}{E}{% endautoescape %}",
    "nested-filter-set": "{% filter lower %}{% set y %}{E}{% endset %}{{ y }}{% endfilter %}",
    "caller-in-loop": "{% macro m() %}{% for i in [1] %}{{ caller() }}{% endfor %}{% endmacro %}{% call m() %}{E}{% endcall %}",
    "ternary": "{{ 'x' if true else 'y' }}{E}",
}
ERR_KIND = {"undefined": "undefined", "runtime": "runtime", "notfound": "not_found", "undefattr": "undefined", "typeerror": "runtime"}

CASES = []
for wname, wrap in WRAPS.items():
    for ename, e in ERRS.items():
        tpl = wrap.replace("{E}", e)
        want = None if wname == "set-block-unused" else ERR_KIND[ename]
        CASES.append(c("in-%s-%s" % (wname, ename), tpl, {"d": {}}))
    # the same constructs without error must render
for ename, e in ERRS.items():
    CASES.append(ct("in-child-block-%s" % ename, {"template.html": "{% extends 'b.html' %}{% block a %}{E}{% endblock %}".replace("{E}", e),
                                                 "b.html": "[{% block a %}{% endblock %}]"}, {"d": {}}))
    CASES.append(ct("in-include-%s" % ename, {"template.html": "x{% include 'i.html' %}", "i.html": e}, {"d": {}}))
    CASES.append(ct("in-imported-macro-%s" % ename, {"template.html": "{% import 'm.html' as m %}{{ m.f() }}", "m.html": "{% macro f() %}" + e + "{% endmacro %}"}, {"d": {}}))
    CASES.append(ct("in-super-%s" % ename, {"template.html": "{% extends 'b.html' %}{% block a %}{{ super() }}{% endblock %}", "b.html": "{% block a %}" + e + "{% endblock %}"}, {"d": {}}))

CATEGORIES = {"23-errors": CASES}
