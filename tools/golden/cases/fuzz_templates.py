"""Seeded random templates nesting for/if/with/filter/macro/call/set-in-for with text, whitespace and `-`
markers, rendered under the four trim/lstrip combinations. Kept when Jinja2 renders them. `set` is only
generated at the top level or directly in a for body (the same scoping in Kida and Jinja2)."""
import random

from jinja2 import DictLoader, Environment, StrictUndefined

from _h import c

rng = random.Random(77)
CTX = {"xs": [1, 2, 3], "d": {"a": "<x>", "b": 2}, "name": "Ada", "flag": True, "empty": []}
TEXTS = ["", " ", "\n", "  \n  ", "a", "<p>", "\n    ", "x\n", "\t"]
EXPRS = ["name", "x", "loop.index", "d.a", "d['b'] * 2", "xs|length", "name|upper", "x ~ '-'", "flag", "xs|join(',')"]


def m(tag):
    """Random whitespace markers on a tag body like '{% if x %}'."""
    l = rng.choice(["", "", "-"])
    r = rng.choice(["", "", "-"])
    return tag[:2] + l + tag[2:-2] + r + tag[-2:]


def text():
    return rng.choice(TEXTS)


def out(in_loop):
    e = rng.choice(EXPRS if in_loop else [x for x in EXPRS if "loop" not in x and x not in ("x", "x ~ '-'")])
    return m("{{ " + e + " }}")


def block(depth, in_loop, top=False):
    parts = [text()]
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if depth <= 0 or r < 0.3:
            parts.append(out(in_loop))
        elif r < 0.45:
            parts.append(m("{% for x in xs %}") + block(depth - 1, True) + (m("{% else %}") + "none" if rng.random() < 0.3 else "") + m("{% endfor %}"))
        elif r < 0.6:
            cond = rng.choice(["flag", "not flag", "xs", "empty", "name == 'Ada'"] + (["x is odd", "loop.first"] if in_loop else []))
            parts.append(m("{% if " + cond + " %}") + block(depth - 1, in_loop) +
                         (m("{% elif xs|length > 2 %}") + text() + "E" if rng.random() < 0.3 else "") +
                         (m("{% else %}") + block(depth - 1, in_loop) if rng.random() < 0.5 else "") + m("{% endif %}"))
        elif r < 0.7:
            parts.append(m("{% with w = name|lower %}") + text() + m("{{ w }}") + block(depth - 1, in_loop) + m("{% endwith %}"))
        elif r < 0.8:
            parts.append(m("{% filter upper %}") + block(depth - 1, in_loop) + m("{% endfilter %}"))
        elif r < 0.88 and (top or in_loop):
            parts.append(m("{% set v = " + rng.choice(["1", "name", "xs|length", "d.b + 1"]) + " %}") + text() + m("{{ v }}"))
        elif r < 0.94:
            parts.append(m("{# note #}"))
        else:
            parts.append(m("{% raw %}") + "{{ raw }}" + m("{% endraw %}"))
        parts.append(text())
    return "".join(parts)


def render_ok(src, opts):
    env = Environment(loader=DictLoader({"t": src}), undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True,
                      trim_blocks=opts.get("trim", False), lstrip_blocks=opts.get("lstrip", False))
    try:
        env.get_template("t").render(**CTX)
        return True
    except Exception:
        return False


COMBOS = [{}, {"trim": True}, {"lstrip": True}, {"trim": True, "lstrip": True}]
CASES = []
MACRO = "{% macro box(t) %}[{{ t }}|{{ caller() if caller else '' }}]{% endmacro %}"
while len(CASES) < 160:
    src = block(3, False, top=True)
    if rng.random() < 0.2:
        src = MACRO + "\n" + m("{% call box(name) %}") + src + m("{% endcall %}")
    opts = COMBOS[len(CASES) % 4]
    if not render_ok(src, opts):
        continue
    CASES.append(c("fuzz-%03d" % len(CASES), src, CTX, **opts))

CATEGORIES = {"14-whitespace": CASES}
