from _h import c, ct, k

LAYOUT = """<!DOCTYPE html>
<html lang="{{ lang|default('en') }}">
<head>
  <meta charset="utf-8">
  <title>{% block title %}{{ site.name }}{% endblock %}</title>
  {% block head %}{% endblock %}
</head>
<body>
  <nav>
    {% for item in nav %}
    <a href="{{ item.url }}"{% if item.url == current %} class="active"{% endif %}>{{ item.label }}</a>
    {% endfor %}
  </nav>
  <main>{% block content %}{% endblock %}</main>
  <footer>&copy; {{ site.year }} {{ site.name }}</footer>
</body>
</html>
"""
SITE = {"site": {"name": "Kida & Co", "year": 2026}, "nav": [{"url": "/", "label": "Home"}, {"url": "/blog", "label": "Blog <new>"}], "current": "/blog"}

PRODUCTS = [
    {"name": "Widget", "price": 9.99, "qty": 3, "tags": ["tools", "sale"], "stock": True},
    {"name": "Gadget <XL>", "price": 24.5, "qty": 1, "tags": [], "stock": False},
    {"name": "Doohickey", "price": 100, "qty": 2, "tags": ["misc"], "stock": True},
]

PAGES = [
    ct("blog-post", {"layout.html": LAYOUT, "template.html": """{% extends 'layout.html' %}
{% block title %}{{ post.title }} | {{ super() }}{% endblock %}
{% block head %}<meta name="description" content="{{ post.summary|truncate(30) }}">{% endblock %}
{% block content %}
<article>
  <h1>{{ post.title|title }}</h1>
  <p class="meta">by {{ post.author }} · {{ post.tags|join(', ') }}</p>
  {{ post.body|safe }}
</article>
{% endblock %}
"""}, dict(SITE, post={"title": "hello <world>", "author": "Ada", "tags": ["a", "b"], "summary": "A long summary of the post that goes on", "body": "<p>Body & more</p>"})),
    ct("blog-post-trimmed", {"layout.html": LAYOUT, "template.html": "{% extends 'layout.html' %}\n{% block content %}\n<p>{{ msg }}</p>\n{% endblock %}\n"},
       dict(SITE, msg="hi"), trim=True, lstrip=True),
    c("product-table", """<table>
{% for p in products|sort(attribute='price', reverse=true) %}
  <tr class="{{ loop.cycle('odd', 'even') }}{% if not p.stock %} out{% endif %}">
    <td>{{ loop.index }}</td><td>{{ p.name }}</td><td>{{ (p.price * p.qty)|round(2) }}</td>
    <td>{{ p.tags|join(', ') or '-' }}</td>
  </tr>
{% else %}
  <tr><td colspan="4">No products</td></tr>
{% endfor %}
</table>
Total: {{ products|sum(attribute='qty') }} items, {{ products|map(attribute='price')|sum|round(2) }}
""", {"products": PRODUCTS}, trim=True, lstrip=True),
    c("product-table-empty", """<table>
{% for p in products %}
  <tr><td>{{ p.name }}</td></tr>
{% else %}
  <tr><td>No products</td></tr>
{% endfor %}
</table>
""", {"products": []}, trim=True, lstrip=True),
    c("nav-menu-recursive", """<ul>
{%- for item in menu recursive %}
  <li>{{ item.title }}
  {%- if item.children -%}
    <ul>{{ loop(item.children) }}</ul>
  {%- endif %}</li>
{%- endfor %}
</ul>""", {"menu": [{"title": "Home", "children": []}, {"title": "Docs", "children": [{"title": "Intro", "children": []}, {"title": "API", "children": [{"title": "Filters", "children": []}]}]}]}),
    c("form-macros", """{% macro field(name, label, value='', type='text', required=false) -%}
<label for="{{ name }}">{{ label }}{% if required %} *{% endif %}</label>
<input type="{{ type }}" id="{{ name }}" name="{{ name }}" value="{{ value }}"{% if required %} required{% endif %}>
{%- endmacro %}
<form method="post">
{{ field('email', 'E-mail', type='email', required=true) }}
{{ field('name', 'Name', value=user.name) }}
<button>{{ 'Save' if user.id else 'Create' }}</button>
</form>
""", {"user": {"id": 0, "name": "O'Brien <admin>"}}),
    c("flash-messages", """{% set classes = {'error': 'danger', 'ok': 'success'} %}
{% for msg in messages %}
<div class="alert alert-{{ classes.get(msg.level, 'info') }}">{{ msg.text }}</div>
{% endfor %}
""", {"messages": [{"level": "error", "text": "Payment failed: <declined>"}, {"level": "ok", "text": "Saved"}, {"level": "notice", "text": "FYI"}]}, trim=True),
    c("grouped-report", """{% for city, people in users|groupby('city') %}
## {{ city }} ({{ people|length }})
{% for u in people|sort(attribute='name') %}
- {{ u.name }}{% if u.admin %} [admin]{% endif %}

{% endfor %}
{% endfor %}
""", {"users": [{"name": "eve", "city": "Oslo", "admin": False}, {"name": "bob", "city": "Lima", "admin": True}, {"name": "al", "city": "Oslo", "admin": True}]}, trim=True, lstrip=True, ae=False),
    c("pagination", """{% set pages = (total / per_page)|round(0, 'ceil')|int %}
<nav>{% if page > 1 %}<a href="?page={{ page - 1 }}">&laquo;</a>{% endif %}
{%- for p in range(1, pages + 1) %}
{%- if p == page %}<b>{{ p }}</b>{% else %}<a href="?page={{ p }}">{{ p }}</a>{% endif %}
{%- endfor %}
{%- if page < pages %}<a href="?page={{ page + 1 }}">&raquo;</a>{% endif %}</nav>""", {"total": 47, "per_page": 10, "page": 2}),
    ct("email-text", {"template.html": """{% from 'm.html' import money %}Hello {{ name|capitalize }},

Your order #{{ order.id }} ({{ order['items']|length }} items):
{% for it in order['items'] %}
  * {{ it.name.ljust(10) }} {{ money(it.price) }}
{% endfor %}
Total: {{ money(order['items']|sum(attribute='price')) }}
""", "m.html": "{% macro money(v) %}${{ '%.2f' % v }}{% endmacro %}"},
       {"name": "ada", "order": {"id": 42, "items": [{"name": "pen", "price": 1.5}, {"name": "notebook", "price": 3.25}]}}, trim=True, ae=False),
    ct("card-grid-call-blocks", {"template.html": """{% import 'ui.html' as ui %}
<div class="grid">
{% for c in cards %}
{% call ui.card(c.title, tone=c.tone|default('plain')) %}
<p>{{ c.body }}</p>
{% endcall %}
{% endfor %}
</div>
""", "ui.html": """{% macro card(title, tone='plain') -%}
<article class="card card-{{ tone }}">
  <h3>{{ title }}</h3>
  <div class="body">{{ caller() }}</div>
</article>
{%- endmacro %}"""}, {"cards": [{"title": "One", "body": "first & best", "tone": "light"}, {"title": "<Two>", "body": "second"}]}, trim=True, lstrip=True),
    c("sitemap-xml", """<?xml version="1.0" encoding="UTF-8"?>
<urlset>
{% for u in urls %}
  <url><loc>{{ base ~ u.path|urlencode }}</loc>{% if u.prio is defined %}<priority>{{ u.prio }}</priority>{% endif %}</url>
{% endfor %}
</urlset>
""", {"base": "https://x.org", "urls": [{"path": "/a b"}, {"path": "/c&d", "prio": 0.5}]}, trim=True, lstrip=True),
    c("comment-thread", """{% macro render(c, depth=0) -%}
<div style="margin-left: {{ depth * 20 }}px"><b>{{ c.author }}</b>: {{ c.text }}</div>
{% for r in c.replies %}{{ render(r, depth + 1) }}{% endfor %}
{%- endmacro %}
<h3>{{ comments|length }} comment{{ 's' if comments|length != 1 }}</h3>
{% for c in comments %}{{ render(c) }}{% endfor %}""",
      {"comments": [{"author": "a", "text": "hi <3", "replies": [{"author": "b", "text": "yo", "replies": []}]}, {"author": "c", "text": "ok", "replies": []}]}),
    c("dashboard-stats", """{% set ns = namespace(total=0, max='') %}
{% for k, v in stats|dictsort(by='value', reverse=true) %}
{% set ns.total = ns.total + v %}
{% if not ns.max %}{% set ns.max = k %}{% endif %}
{{ k|upper }}: {{ v }} ({{ (v / stats.values()|sum * 100)|round(1) }}%)
{% endfor %}
total={{ ns.total }} top={{ ns.max }}
""", {"stats": {"views": 120, "likes": 30, "shares": 50}}, trim=True, lstrip=True),
    ct("three-level-layout", {"base.html": "<body>{% block body %}{% endblock %}</body>",
                              "section.html": "{% extends 'base.html' %}{% block body %}<aside>{% block side %}side{% endblock %}</aside><main>{% block main %}{% endblock %}</main>{% endblock %}",
                              "template.html": "{% extends 'section.html' %}{% block side %}{{ super() }}+{% endblock %}{% block main %}{% include 'part.html' %}{% endblock %}",
                              "part.html": "{% for i in range(n) %}<p>{{ i }}</p>{% endfor %}"}, {"n": 2}),
]

CATEGORIES = {"24-pages": PAGES}
