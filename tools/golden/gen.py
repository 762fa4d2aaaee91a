#!/usr/bin/env python3
"""Golden corpus generator for Kida for .NET.

Reads the case definitions in tools/golden/cases/*.py, renders every Jinja2-sourced case with real
Jinja2 3.1.6 (configured the way Kida behaves by default, see README.md) and writes the corpus to
tests/Kida.Core.Tests/Golden/NN-category/<case>/:

    template.html (+ any other templates)   the templates, byte for byte
    data.json                               {"entry", "context", "options", "source", "note", "templates"}
    expected.txt | error.txt                exact output, or the error kind (syntax|undefined|not_found|runtime)

Hand-written Kida cases (source "kida-spec ...") carry their expectation in the case definition.

Usage: python3 tools/golden/gen.py [--only cases1.py,cases2.py]   (--only: write only the cases of those files)
"""
import copy
import importlib.util
import json
import re
import os
import shutil
import sys

import jinja2
from jinja2 import DictLoader, Environment, StrictUndefined

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "Kida.Core.Tests", "Golden")
RESERVED = {"data.json", "expected.txt", "error.txt", "error-code.txt"}

assert jinja2.__version__ == "3.1.6", "the corpus is defined against Jinja2 3.1.6, found " + jinja2.__version__


def jinja_env(templates, opts):
    return Environment(
        loader=DictLoader(templates),
        undefined=StrictUndefined,
        autoescape=opts.get("autoescape", True),
        trim_blocks=opts.get("trim_blocks", False),
        lstrip_blocks=opts.get("lstrip_blocks", False),
        # Kida keeps the template's final newline (kida-spec §1.2, conformance README "Reference settings").
        keep_trailing_newline=True,
        extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"],
    )


def error_kind(exc):
    if isinstance(exc, jinja2.TemplateNotFound):  # includes TemplatesNotFound
        return "not_found"
    if isinstance(exc, (jinja2.TemplateSyntaxError, SyntaxError)):  # TemplateAssertionError; 'break' outside loop
        return "syntax"
    if isinstance(exc, jinja2.UndefinedError):
        return "undefined"
    return "runtime"


def render_jinja(case):
    env = jinja_env(case["templates"], case["options"])
    try:
        # Render a copy: some Jinja2 filters mutate their input (indent does `s += "\n"` on a list).
        out = env.get_template(case["entry"]).render(**copy.deepcopy(case["context"]))
    except Exception as exc:  # noqa: BLE001 - every exception becomes an error kind
        return None, error_kind(exc), "%s: %s" % (type(exc).__name__, exc)
    # Kida escapes '"' as &quot; where MarkupSafe writes &#34; (conformance README, kida-spec §5.1).
    # Templates in the corpus never contain a literal &#34;, so the rewrite is exact.
    return out.replace("&#34;", "&quot;"), None, None


def load_cases(only=None):
    cases_dir = os.path.join(HERE, "cases")
    result = []
    for fn in sorted(os.listdir(cases_dir)):
        if not fn.endswith(".py") or fn.startswith("_"):
            continue
        if only is not None and fn not in only:
            continue
        spec = importlib.util.spec_from_file_location("golden_cases_" + fn[:-3], os.path.join(cases_dir, fn))
        mod = importlib.util.module_from_spec(spec)
        sys.path.insert(0, cases_dir)
        try:
            spec.loader.exec_module(mod)
        finally:
            sys.path.pop(0)
        for category, cases in mod.CATEGORIES.items():
            for c in cases:
                result.append((category, c))
    return result


def check_context(value, where):
    """Context values must survive the JSON → .NET conversion unchanged (integers must fit in a long)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return
    if isinstance(value, int):
        assert -2**63 <= value < 2**63, "%s: integer %d does not fit in a long" % (where, value)
    elif isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), where
            check_context(v, where)
    elif isinstance(value, list):
        for v in value:
            check_context(v, where)
    else:
        raise AssertionError("%s: context value %r is not JSON" % (where, value))


def build(category, c):
    """Normalise one case definition into the on-disk form."""
    check_context(c.get("ctx", {}), category + "/" + c["name"])
    templates = dict(c["templates"])
    for name in templates:
        assert name not in RESERVED and not name.startswith("/"), (c["name"], name)
        assert "&#34;" not in templates[name], (c["name"], "literal &#34; is reserved")
    case = {
        "name": c["name"],
        "category": category,
        "templates": templates,
        "entry": c.get("entry", "template.html"),
        "context": copy.deepcopy(c.get("ctx", {})),
        "options": {
            "autoescape": c.get("autoescape", True),
            "trim_blocks": c.get("trim_blocks", False),
            "lstrip_blocks": c.get("lstrip_blocks", False),
        },
        "source": c.get("source", "jinja2"),
        "note": c.get("note", ""),
    }
    if case["source"] == "jinja2":
        out, err, msg = render_jinja(case)
        if "expect" in c or "error" in c:
            # A Jinja2 case may state what it expects; it must agree with Jinja2.
            want = c.get("expect"), c.get("error")
            if (out, err) != want:
                raise SystemExit("case %s/%s: Jinja2 gives %r / %r (%s), the case says %r" % (
                    category, c["name"], out, err, msg, want))
        if err and not case["note"]:
            case["note"] = re.sub(r" at 0x[0-9a-f]+", "", "Jinja2 3.1.6 raised " + msg)
        case["expected"], case["error"] = out, err
    else:
        assert ("expect" in c) != ("error" in c), c["name"]
        case["expected"], case["error"] = c.get("expect"), c.get("error")
        # Record what Jinja2 would do, for the reader.
        out, err, msg = render_jinja(case)
        jn = "Jinja2 3.1.6 renders %r" % out if err is None else "Jinja2 3.1.6 raises " + msg
        jn = re.sub(r" at 0x[0-9a-f]+", "", jn)  # object addresses would make the corpus non-deterministic
        case["note"] = (case["note"] + " | " if case["note"] else "") + jn
    assert case["error"] in (None, "syntax", "undefined", "not_found", "runtime"), case
    return case


def write(case, root):
    d = os.path.join(root, case["category"], case["name"])
    os.makedirs(d, exist_ok=True)
    for name, text in case["templates"].items():
        p = os.path.join(d, *name.split("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    data = {
        "entry": case["entry"],
        "templates": sorted(case["templates"]),
        "context": case["context"],
        "options": case["options"],
        "source": case["source"],
        "note": case["note"],
    }
    with open(os.path.join(d, "data.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")
    if case["error"]:
        with open(os.path.join(d, "error.txt"), "w", encoding="utf-8", newline="") as f:
            f.write(case["error"])
    else:
        with open(os.path.join(d, "expected.txt"), "w", encoding="utf-8", newline="") as f:
            f.write(case["expected"])


def main():
    # --only a.py,b.py: (re)write just the cases of those case files, leaving every other case folder alone
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    cases = [build(cat, c) for cat, c in load_cases(only)]
    seen = set()
    for c in cases:
        key = (c["category"], c["name"])
        assert key not in seen, "duplicate case %s/%s" % key
        seen.add(key)
    # Rewrite every category folder from scratch (known-failures.txt and README files are kept).
    for entry in os.listdir(OUT) if os.path.isdir(OUT) and only is None else []:
        p = os.path.join(OUT, entry)
        if os.path.isdir(p) and entry[:2].isdigit():
            shutil.rmtree(p)
    for c in cases:
        if only is not None:
            shutil.rmtree(os.path.join(OUT, c["category"], c["name"]), ignore_errors=True)
        write(c, OUT)
    counts = {}
    for c in cases:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    for k in sorted(counts):
        print("%-22s %4d" % (k, counts[k]))
    print("%-22s %4d" % ("total", len(cases)))
    errs = sum(1 for c in cases if c["error"])
    print("(%d expect an error, %d hand-written from the Kida spec)" % (
        errs, sum(1 for c in cases if c["source"] != "jinja2")))


if __name__ == "__main__":
    main()
