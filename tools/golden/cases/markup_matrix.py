"""Which string filters keep Markup (no re-escaping) and which return plain strings, as Jinja2 does."""
from _h import c

FILTERS = ["upper", "lower", "capitalize", "title", "trim", "center(14)", "replace('b', 'i')", "striptags", "truncate(8, true, '')",
           "wordwrap(5)", "indent(2, true)", "reverse", "first", "last", "string", "e", "forceescape", "safe", "join", "list|join",
           "default('x')", "urlize", "format_free", "wordcount", "length", "slice(2)|first|join", "batch(3)|first|join",
           "sort|join", "unique|join", "replace('<', '[')", "trim('<>')", "center(3)", "lower|upper"]
CASES = []
for f in FILTERS:
    if f.endswith("_free"):
        continue
    name = f.replace("(", "-").replace(")", "").replace("'", "").replace(",", "").replace(" ", "").replace("|", "-").replace("<", "lt").replace(">", "gt").replace("[", "lb")
    CASES.append(c("markup-through-" + name, "{{ m|safe|%s }}|{{ m|%s }}" % (f, f), {"m": "<b>a &amp; b</b>"}))
    CASES.append(c("markup-through-" + name + "-ae-off", "{{ m|safe|%s }}|{{ m|%s }}" % (f, f), {"m": "<b>a &amp; b</b>"}, ae=False))

CATEGORIES = {"13-escaping": CASES}
