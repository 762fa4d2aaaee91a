"""Kida template-name resolution (kida-spec §6.4): relative names, `..` refused."""
from _h import kt

NAMES = [
    kt("relative-include-same-dir", {"pages/a.html": "A[{% include './part.html' %}]", "pages/part.html": "P"}, entry="pages/a.html",
       section="§6.4", expect="A[P]"),
    kt("relative-include-parent-dir", {"pages/sub/a.html": "{% include '../part.html' %}", "pages/part.html": "P2"}, entry="pages/sub/a.html",
       section="§6.4", expect="P2"),
    kt("relative-extends", {"pages/a.html": "{% extends './base.html' %}{% block b %}C{% end %}", "pages/base.html": "<{% block b %}{% end %}>"},
       entry="pages/a.html", section="§6.4", expect="<C>"),
    kt("relative-import", {"pages/a.html": "{% from './m.html' import f %}{{ f() }}", "pages/m.html": "{% def f() %}F{% end %}"},
       entry="pages/a.html", section="§6.4", expect="F"),
    kt("relative-escapes-root-errors", {"a.html": "{% include '../x.html' %}", "x.html": "X"}, entry="a.html", section="§6.4", error="not_found"),
    kt("dotdot-segment-refused", {"a/b.html": "{% include 'a/../x.html' %}", "x.html": "X"}, entry="a/b.html", section="§6.4", error="not_found"),
    kt("relative-nested-include", {"a.html": "{% include 'lib/i.html' %}", "lib/i.html": "[{% include './j.html' %}]", "lib/j.html": "J"},
       entry="a.html", section="§6.4", expect="[J]"),
]

CATEGORIES = {"19-include": NAMES}
