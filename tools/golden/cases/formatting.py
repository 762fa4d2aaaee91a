"""Python string formatting that templates use (str.format, the % operator) from Jinja2, plus Kida's `format`
and `tojson` filters whose expectations are computed with the Python functions the spec names
(kida-spec §4.1: format = str.format; tojson = json.dumps, insertion order, `</` -> `\\u003c/`)."""
import json

from markupsafe import escape

from _h import c, k

VALUES = [0, 7, -42, 3.14159, -0.5, 1234567.891, 1e-05, 255, 2.0, 9007199254740993]
FMT_SPECS = ["{}", "{:d}", "{:5d}", "{:<6}|", "{:>8.2f}", "{:^9}", "{:*^9}", "{:+d}", "{:x}", "{:X}", "{:o}", "{:b}",
             "{:e}", "{:.3e}", "{:g}", "{:.2%}", "{:,}", "{:_}", "{:010.3f}", "{!r}", "{:.0f}", "{:#x}", "{: d}"]
PCT_SPECS = ["%s", "%d", "%5d", "%-6s|", "%8.2f", "%+d", "%x", "%X", "%o", "%e", "%.3e", "%g", "%r", "%05.1f", "%%%s%%", "%i", "%.0f"]


def py_format(spec, v):
    try:
        return spec.format(v)
    except (ValueError, TypeError):
        return None


def py_pct(spec, v):
    try:
        return spec % v
    except (ValueError, TypeError, OverflowError):
        return None


PY = []
for i, spec in enumerate(FMT_SPECS):
    PY.append(c("format-method-spec-%02d" % i, "{% for v in vals %}[{{ fmt.format(v) if ok[loop.index0] else '-' }}]{% endfor %}",
                {"vals": VALUES, "fmt": spec, "ok": [py_format(spec, v) is not None for v in VALUES]}, ae=False,
                note="spec " + spec))
for i, spec in enumerate(PCT_SPECS):
    PY.append(c("percent-operator-spec-%02d" % i, "{% for v in vals %}[{{ fmt % v if ok[loop.index0] else '-' }}]{% endfor %}",
                {"vals": VALUES, "fmt": spec, "ok": [py_pct(spec, v) is not None for v in VALUES]}, ae=False,
                note="spec " + spec))
PY += [
    c("percent-operator-tuple", "{{ '%s=%d (%.1f%%)' % ('a', 3, 42.25) }}", ae=False),
    c("percent-operator-too-few-errors", "{{ '%s %s' % ('a',) }}"),
    c("percent-operator-dict-mapping", "{{ '%(n)05d|%(s)-4s|' % {'n': 42, 's': 'x'} }}", ae=False),
    c("format-method-nested-spec", "{{ '{:{w}.{p}f}'.format(3.14159, w=8, p=2) }}", ae=False),
    c("format-method-too-few-errors", "{{ '{} {}'.format(1) }}"),
    c("format-method-unknown-name-errors", "{{ '{x}'.format(y=1) }}"),
    c("format-method-str-of-list", "{{ '{}'.format([1, 'a']) }}", ae=False),
    c("format-method-none-bool", "{{ '{}|{}|{:d}'.format(none, true, true) }}", ae=False),
]

# Kida's format filter: Python str.format, result escaped by autoescape.
KFMT = [("{} + {} = {}", (1, 2, 3), {}), ("{:.2f}", (3.14159,), {}), ("{name}!", (), {"name": "<Ada>"}),
        ("{0}{1}{0}", ("a", "b"), {}), ("{:>6}|{:<6}|{:^6}", ("r", "l", "c"), {}), ("{:,}", (1234567,), {}),
        ("{:08.3f}", (-3.5,), {}), ("{:x}/{:o}/{:b}", (255, 8, 5), {}), ("{:.1%}", (0.256,), {}),
        ("{:e}", (12345.678,), {}), ("{!r}", ("q",), {}), ("{} {}", (None, True), {}), ("{}", (0.1 + 0.2,), {}),
        ("{}", (1e16,), {}), ("{:+d}", (5,), {}), ("{a}-{b}", (), {"a": 1, "b": 2.5}), ("<{}>", ("&",), {}),
        ("{{}} {}", ("x",), {}), ("{:*^11}", ("mid",), {}), ("{}", ([1, "a"],), {})]


def jinja_literal(v):
    return json.dumps(v) if isinstance(v, str) else {None: "none", True: "true", False: "false"}.get(v, None) \
        if v is None or isinstance(v, bool) else (repr(v) if not isinstance(v, list) else "[" + ", ".join(jinja_literal(x) for x in v) + "]")


KIDA = []
for i, (fmt, args, kwargs) in enumerate(KFMT):
    parts = [jinja_literal(a) for a in args] + ["%s=%s" % (kk, jinja_literal(vv)) for kk, vv in kwargs.items()]
    tpl = "{{ f|format(%s) }}" % ", ".join(parts)
    KIDA.append(k("format-filter-%02d" % i, tpl, {"f": fmt}, section="§4.1 (computed with Python str.format)",
                  expect=str(escape(fmt.format(*args, **kwargs))).replace("&#34;", "&quot;")))
KIDA.append(k("format-filter-autoescape-off", "{{ '<{}>'|format(s) }}", {"s": "&"}, section="§4.1", expect="<&>", ae=False))
KIDA.append(k("format-filter-markup-arg", "{{ '<{}>'|format(s|safe) }}", {"s": "<b>"}, section="§4.1", expect="&lt;&lt;b&gt;&gt;"))

# Kida's tojson: json.dumps (insertion order, ", " / ": " separators, ASCII escapes), "</" -> "\u003c/", Markup.
JSON_VALUES = [None, True, False, 0, -7, 1.5, 0.1, 1e16, 1e-07, 2.0, "", "plain", "quote\"back\\slash", "<b>&'</b>",
               "tab\tnl\ncr\r", "é ü 日本", "\U0001F600", "ctrl\u0001\u001f", [], [1, [2, [3]]], {}, {"b": 1, "a": [None, True]},
               {"x": {"y": {"z": "</script>"}}}, ["</", "<!--", "]]>"], {"n": -0.0}]


def kida_tojson(v, indent=None):
    return json.dumps(v, indent=indent).replace("</", "\\u003c/")


for i, v in enumerate(JSON_VALUES):
    KIDA.append(k("tojson-value-%02d" % i, "{{ v|tojson }}", {"v": v}, section="§4.1 (computed with json.dumps)",
                  expect=kida_tojson(v)))
for i, v in enumerate([{"a": [1, 2], "b": {"c": None}}, [1, {"k": "v"}], {}, []]):
    KIDA.append(k("tojson-indent-%d" % i, "{{ v|tojson(indent=2) }}|{{ v|tojson(4) }}", {"v": v}, section="§4.1 (computed with json.dumps)",
                  expect=kida_tojson(v, 2) + "|" + kida_tojson(v, 4)))
KIDA.append(k("tojson-attr-escapes-everything", "{{ v|tojson(attr=true) }}", {"v": {"a": "<'&\"/>"}}, section="§4.1",
              expect=str(escape(json.dumps({"a": "<'&\"/>"}))).replace("&#34;", "&quot;")))
KIDA.append(k("tojson-autoescape-off", "{{ v|tojson }}", {"v": {"a": "</x>"}}, section="§4.1", expect='{"a": "\\u003c/x>"}', ae=False))
KIDA.append(k("tojson-in-script", "<script>var d = {{ v|tojson }};</script>", {"v": {"html": "</script><script>alert(1)"}},
              section="§4.1", expect='<script>var d = {"html": "\\u003c/script><script>alert(1)"};</script>'))

CATEGORIES = {"21-python-compat": PY, "25-kida-divergent": KIDA}
