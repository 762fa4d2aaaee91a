"""Helpers for compact case definitions.

c(name, template, ctx=None, **kw)        one template ("template.html"), expectation from Jinja2
ct(name, templates, ctx=None, **kw)      several templates (dict name -> source); entry defaults to template.html
k(name, template, expect=.., error=.., section="§x.y", ctx=None, **kw)
                                         hand-written Kida expectation (source "kida-spec §x.y")
kt(name, templates, ...)                 the same with several templates
Keyword options: ae=False (autoescape off), trim=True, lstrip=True, entry=..., note=...,
expect=/error= on a Jinja2 case asserts what Jinja2 must produce.
"""


def _opts(kw):
    out = {}
    if "ae" in kw:
        out["autoescape"] = kw.pop("ae")
    if "trim" in kw:
        out["trim_blocks"] = kw.pop("trim")
    if "lstrip" in kw:
        out["lstrip_blocks"] = kw.pop("lstrip")
    out.update(kw)
    return out


def c(name, template, ctx=None, **kw):
    return dict(name=name, templates={"template.html": template}, ctx=ctx or {}, **_opts(kw))


def ct(name, templates, ctx=None, **kw):
    return dict(name=name, templates=dict(templates), ctx=ctx or {}, **_opts(kw))


def k(name, template, ctx=None, section="", **kw):
    d = c(name, template, ctx, **kw)
    d["source"] = "kida-spec " + section if section else "kida-spec"
    return d


def kt(name, templates, ctx=None, section="", **kw):
    d = ct(name, templates, ctx, **kw)
    d["source"] = "kida-spec " + section if section else "kida-spec"
    return d
