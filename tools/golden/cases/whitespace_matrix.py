"""Every tag of a small page gets a '-' on its left, right or both sides, under each option combination."""
import re

from _h import c

PAGE = ("<ul>\n  {% for x in xs %}\n    {% if x > 1 %}\n    <li>{{ x }}</li>\n    {% elif x == 1 %}\n    <li>one</li>\n"
        "    {% else %}\n    {# zero #}\n    {% endif %}\n  {% endfor %}\n</ul>\n")
CTX = {"xs": [0, 1, 2]}
TAGS = [m.start() for m in re.finditer(r"\{[%#{]", PAGE)]
COMBOS = [("", {}), ("-trim", {"trim": True}), ("-lstrip", {"lstrip": True}), ("-both", {"trim": True, "lstrip": True})]


def mark(src, pos, left, right):
    end = src.index("}", pos) - 1  # position of the closing '%', '#' or '}'
    out = src
    if right:
        out = out[:end] + "-" + out[end:]
    if left:
        out = out[:pos + 2] + "-" + out[pos + 2:]
    return out


CASES = []
for i, pos in enumerate(TAGS):
    for side, (l, r) in {"l": (True, False), "r": (False, True), "lr": (True, True)}.items():
        for suffix, opts in COMBOS:
            CASES.append(c("page-tag%d-%s%s" % (i, side, suffix), mark(PAGE, pos, l, r), CTX, **opts))
for suffix, opts in COMBOS:
    CASES.append(c("page-plain%s" % suffix, PAGE, CTX, **opts))
    allm = re.sub(r"\{([%#])", r"{\1-", PAGE)
    allm = re.sub(r"([%#])\}", r"-\1}", allm)
    CASES.append(c("page-all-minus%s" % suffix, allm, CTX, **opts))

CATEGORIES = {"14-whitespace": CASES}
