import re

from _h import c, ct, k

MACRO = "{% macro m2() %}<{{ caller() }}>{% endmacro %}"
KINDS = {
    "if": ("<div>\n  {% if x %}\n  yes\n  {% else %}\n  no\n  {% endif %}\n</div>\n", {"x": True}, {}),
    "for": ("<ul>\n  {% for i in xs %}\n  <li>{{ i }}</li>\n  {% endfor %}\n</ul>\n", {"xs": [1, 2]}, {}),
    "set": ("a\n  {% set v = 1 %}\nb{{ v }}\n", {}, {}),
    "set-block": ("  {% set v %}\n  inner\n  {% endset %}\n[{{ v }}]\n", {}, {}),
    "macro": ("  {% macro m(x) %}\n  <{{ x }}>\n  {% endmacro %}\n{{ m(1) }}\n", {}, {}),
    "call": (MACRO + "\n  {% call m2() %}\n  body\n  {% endcall %}\nend\n", {}, {}),
    "filter": ("  {% filter upper %}\n  text\n  {% endfilter %}\nend\n", {}, {}),
    "comment": ("a\n  {# c #}\nb\n", {}, {}),
    "raw": ("  {% raw %}\n  {{ x }}\n  {% endraw %}\nz\n", {}, {}),
    "with": ("  {% with a = 1 %}\n  {{ a }}\n  {% endwith %}\n", {}, {}),
    "include": ("<p>\n  {% include 'inc.html' %}\n</p>\n", {}, {"inc.html": "I\n"}),
    "block": ("{% extends 'base.html' %}\n{% block c %}\n  child\n{% endblock %}\n", {},
              {"base.html": "<main>\n  {% block c %}\n  base\n  {% endblock %}\n</main>\n"}),
    "base-block": ("<main>\n  {% block c %}\n  base\n  {% endblock %}\n</main>\n", {}, {}),
    "autoescape": ("  {% autoescape false %}\n  {{ s }}\n  {% endautoescape %}\n", {"s": "<"}, {}),
    "do": ("{% set xs = [] %}\n  {% do xs.append(1) %}\n{{ xs }}\n", {}, {}),
    "break": ("{% for i in [1, 2, 3] %}\n  {% if i == 2 %}\n    {% break %}\n  {% endif %}\n  {{ i }}\n{% endfor %}\n", {}, {}),
    "elif": ("{% if x == 1 %}\n  one\n  {% elif x == 2 %}\n  two\n  {% endif %}\n", {"x": 2}, {}),
    "variable": ("a\n  {{ x }}\nb\n", {"x": 1}, {}),
}

COMBOS = [("default", {}), ("trim", {"trim": True}), ("lstrip", {"lstrip": True}), ("trim-lstrip", {"trim": True, "lstrip": True})]


def all_minus(src):
    src = re.sub(r"\{([%#])(?![-+])", r"{\1-", src)
    return re.sub(r"(?<![-+])([%#])\}", r"-\1}", src)


def all_plus_left(src):
    return re.sub(r"\{%(?![-+])", "{%+", src)


def all_plus_right(src):
    return re.sub(r"(?<![-+])%\}", "+%}", src)


WHITESPACE = []
for kind, (tpl, ctx, extra) in KINDS.items():
    for combo, opts in COMBOS:
        WHITESPACE.append(ct("%s-%s" % (kind, combo), dict({"template.html": tpl}, **extra), ctx, **opts))
    WHITESPACE.append(ct("%s-minus-all" % kind, dict({"template.html": all_minus(tpl)}, **{
        n: t for n, t in extra.items()}), ctx))
    if kind != "variable":
        WHITESPACE.append(ct("%s-plus-left-lstrip" % kind, dict({"template.html": all_plus_left(tpl)}, **extra), ctx,
                             trim=True, lstrip=True))
    if kind not in ("variable", "raw"):  # Jinja2 accepts no '+%}' on raw
        WHITESPACE.append(ct("%s-plus-right-trim" % kind, dict({"template.html": all_plus_right(tpl)}, **extra), ctx,
                             trim=True, lstrip=True))

WHITESPACE += [
    c("trailing-newline-kept", "x\n"),
    c("trailing-newlines-two", "x\n\n"),
    c("trailing-newline-after-tag", "{% if true %}x{% endif %}\n"),
    c("trailing-newline-trim-blocks", "{% if true %}x{% endif %}\n", trim=True),
    c("only-newline", "\n"),
    c("minus-variable-both", "a \n {{- x -}} \n b", {"x": 1}),
    c("minus-variable-left", "a \n {{- x }} \n b", {"x": 1}),
    c("minus-variable-right", "a \n {{ x -}} \n b", {"x": 1}),
    c("minus-comment", "a  {#- c -#}  b"),
    c("minus-comment-left", "a  {#- c #}  b"),
    c("minus-between-tags", "{% if true -%}  {{ 'a' -}}  {%- endif %}"),
    c("minus-adjacent-outputs", "{{ 'a' -}}{{ 'b' }}  x",
      note="the right trim only affects the text right after the tag"),
    c("minus-tabs-newlines", "a\t\n\t{%- if true -%}\t\n\tb{%- endif %}"),
    c("trim-blocks-crlf-text", "{% if true %}\nx{% endif %}", trim=True),
    c("trim-blocks-comment", "{# c #}\nx", trim=True),
    c("lstrip-not-start-of-line", "x  {% if true %}y{% endif %}", lstrip=True),
    c("lstrip-comment", "a\n    {# c #}\nb", lstrip=True),
    c("lstrip-tabs", "a\n\t\t{% if true %}b{% endif %}", lstrip=True),
    c("lstrip-does-not-affect-variable", "a\n    {{ 1 }}", lstrip=True),
    c("trim-blocks-variable-unaffected", "{{ 1 }}\n{{ 2 }}\n", trim=True),
    c("trim-and-minus", "  {%- if true %}\n  a\n  {%- endif %}\n", trim=True),
    c("loop-lines-trim-lstrip", "{% for x in xs %}\n    {{ x }}\n{% endfor %}\n", {"xs": ["a", "b"]}, trim=True, lstrip=True),
    c("nested-blocks-trim-lstrip", "<ul>\n{% for x in xs %}\n  {% if x %}\n  <li>{{ x }}</li>\n  {% endif %}\n{% endfor %}\n</ul>\n",
      {"xs": [1, 0, 2]}, trim=True, lstrip=True),
    c("whitespace-only-template", "   \n\t  "),
    c("minus-raw-inside", "{% raw -%}  x  {%- endraw %}"),
    c("minus-on-raw-outside", "a  {%- raw %}x{% endraw -%}  b"),
    c("set-block-minus-inner", "{% set x -%}\n  v\n{%- endset %}[{{ x }}]"),
    c("macro-call-indent", "{% macro li(x) -%}\n<li>{{ x }}</li>\n{%- endmacro %}\n<ul>\n  {{ li(1) }}\n  {{ li(2) }}\n</ul>"),
]

CATEGORIES = {"14-whitespace": WHITESPACE}
