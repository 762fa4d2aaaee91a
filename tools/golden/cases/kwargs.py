"""Every built-in filter called with Jinja2's keyword argument names (issue 3 §1: keyword arguments included)."""
from _h import c

P = [{"n": "b", "v": 2, "g": "x"}, {"n": "A", "v": 1, "g": "y"}, {"n": "c", "v": 3, "g": "x"}]
KW = [
    ("truncate", "{{ s|truncate(length=9, killwords=true, end='~', leeway=0) }}", {"s": "hello wonderful world"}),
    ("truncate-only-end", "{{ s|truncate(end='!') }}", {"s": "short"}),
    ("indent", "{{ s|indent(width=2, first=true, blank=true) }}", {"s": "a\n\nb"}),
    ("indent-width-string", "{{ s|indent(width='-> ') }}", {"s": "a\nb"}),
    ("wordwrap", "{{ s|wordwrap(width=6, break_long_words=false, wrapstring='|', break_on_hyphens=false) }}", {"s": "abc defgh-ijk lmnopqrstu"}),
    ("round", "{{ 2.567|round(precision=1, method='floor') }}|{{ 2.5|round(method='common') }}", {}),
    ("int", "{{ 'x'|int(default=3) }}|{{ '11'|int(base=2) }}|{{ 'z'|int(default=1, base=36) }}", {}),
    ("float", "{{ 'x'|float(default=0.5) }}", {}),
    ("join", "{{ xs|join(d='+') }}|{{ p|join(d=',', attribute='n') }}", {"xs": [1, 2], "p": P}),
    ("center", "[{{ 'ab'|center(width=6) }}]", {}),
    ("default", "{{ missing|default(default_value='dv') }}|{{ ''|default(default_value='e', boolean=true) }}", {}),
    ("replace", "{{ 'aaa'|replace(old='a', new='b', count=2) }}", {}),
    ("dictsort", "{{ d|dictsort(case_sensitive=true, by='key', reverse=true)|map('first')|join }}", {"d": {"a": 1, "B": 2, "c": 3}}),
    ("batch", "{{ [1, 2, 3]|batch(linecount=2, fill_with=0)|list }}", {}),
    ("slice", "{{ [1, 2, 3]|slice(slices=2, fill_with=0)|list }}", {}),
    ("sum", "{{ p|sum(attribute='v', start=100) }}", {"p": P}),
    ("sort", "{{ p|sort(reverse=true, case_sensitive=true, attribute='n')|map(attribute='n')|join }}", {"p": P}),
    ("unique", "{{ ['a', 'A', 'b']|unique(case_sensitive=true)|join }}|{{ p|unique(attribute='g')|map(attribute='n')|join }}", {"p": P}),
    ("min-max", "{{ (p|min(attribute='v')).n }}{{ (p|max(attribute='v')).n }}|{{ ['a', 'B']|max(case_sensitive=true) }}", {"p": P}),
    ("groupby", "{% for k, items in p|groupby(attribute='g', default='?', case_sensitive=true) %}{{ k }}{{ items|length }}{% endfor %}", {"p": P}),
    ("map", "{{ p|map(attribute='zz', default='-')|join }}", {"p": P}),
    ("urlize", "{{ 'x http://example.com/long/path y'|urlize(trim_url_limit=10, nofollow=true, target='_top', rel='me') }}", {}),
    ("urlize-extra-schemes", "{{ 'see ftp://files.example'|urlize(extra_schemes=['ftp://']) }}", {}),
    ("filesizeformat", "{{ 2048|filesizeformat(binary=true) }}", {}),
    ("xmlattr", "<p {{ {'a': 1}|xmlattr(autospace=false) }}>", {}),
    ("trim", "{{ 'xxaxx'|trim(chars='x') }}", {}),
    ("attr", "{% set ns = namespace(q=4) %}{{ ns|attr(name='q') }}", {}),
    ("selectattr-rejectattr", "{{ p|selectattr('v', 'gt', 1)|map(attribute='n')|join }}|{{ p|rejectattr('g', 'eq', 'x')|map(attribute='n')|join }}", {"p": P}),
    ("tojson-indent-kw", "{{ [1]|tojson(indent=1) }}", {}),
    ("unknown-kwarg-errors", "{{ 'a'|center(size=5) }}", {}),
    ("positional-and-kw-conflict-errors", "{{ 'a'|center(5, width=6) }}", {}),
    ("test-kwarg", "{{ 6 is divisibleby(num=3) }}|{{ 7 is divisibleby(num=3) }}", {}),
    ("global-kwargs", "{{ range(stop=3)|list if false else 'ok' }}|{{ dict(a=1, b=2)|length }}|{% set c = cycler(1, 2) %}{{ c.next() }}", {}),
    ("lipsum-kwargs", "{{ lipsum(n=2, html=false).count('\n\n') }}", {}),
]

CATEGORIES = {"10-filters": [c("kwargs-" + n, t, ctx) for n, t, ctx in KW]}
