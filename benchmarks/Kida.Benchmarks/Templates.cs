namespace Kida.Benchmarks;

/// <summary>The "products" page, written once per engine in that engine's idiomatic syntax.</summary>
public static class Templates
{
    public const string Kida = """
<ul class="products">
{% for p in products %}
<li class="product">
<h2>{{ p.name }}</h2>
<p class="price">${{ p.price }}</p>
<p class="desc">{{ p.description }}</p>
<ul class="tags">{% for t in p.tags %}<li>{{ t }}</li>{% endfor %}</ul>
{% if p.in_stock %}<span class="stock">In stock</span>{% else %}<span class="stock out">Sold out</span>{% endif %}
</li>
{% endfor %}
</ul>

""";

    // Fluid: default member names (PascalCase), explicit escape filter, NullEncoder output.
    public const string Fluid = """
<ul class="products">
{% for p in Products %}
<li class="product">
<h2>{{ p.Name | escape }}</h2>
<p class="price">${{ p.Price }}</p>
<p class="desc">{{ p.Description | escape }}</p>
<ul class="tags">{% for t in p.Tags %}<li>{{ t | escape }}</li>{% endfor %}</ul>
{% if p.InStock %}<span class="stock">In stock</span>{% else %}<span class="stock out">Sold out</span>{% endif %}
</li>
{% endfor %}
</ul>

""";

    // Scriban: default renamer gives snake_case members.
    public const string Scriban = """
<ul class="products">
{{ for p in products }}
<li class="product">
<h2>{{ p.name | html.escape }}</h2>
<p class="price">${{ p.price }}</p>
<p class="desc">{{ p.description | html.escape }}</p>
<ul class="tags">{{ for t in p.tags }}<li>{{ t | html.escape }}</li>{{ end }}</ul>
{{ if p.in_stock }}<span class="stock">In stock</span>{{ else }}<span class="stock out">Sold out</span>{{ end }}
</li>
{{ end }}
</ul>

""";

    // Handlebars: {{ }} is HTML-escaped by default.
    public const string Handlebars = """
<ul class="products">
{{#each Products}}
<li class="product">
<h2>{{Name}}</h2>
<p class="price">${{Price}}</p>
<p class="desc">{{Description}}</p>
<ul class="tags">{{#each Tags}}<li>{{this}}</li>{{/each}}</ul>
{{#if InStock}}<span class="stock">In stock</span>{{else}}<span class="stock out">Sold out</span>{{/if}}
</li>
{{/each}}
</ul>

""";

    // DotLiquid: Ruby naming convention gives snake_case members.
    public const string DotLiquid = """
<ul class="products">
{% for p in products %}
<li class="product">
<h2>{{ p.name | escape }}</h2>
<p class="price">${{ p.price }}</p>
<p class="desc">{{ p.description | escape }}</p>
<ul class="tags">{% for t in p.tags %}<li>{{ t | escape }}</li>{% endfor %}</ul>
{% if p.in_stock %}<span class="stock">In stock</span>{% else %}<span class="stock out">Sold out</span>{% endif %}
</li>
{% endfor %}
</ul>

""";

    // RazorLight: @ output is HTML-encoded by default.
    public const string Razor = """
@model Kida.Benchmarks.Catalog
<ul class="products">
@foreach (var p in Model.Products)
{
<li class="product">
<h2>@p.Name</h2>
<p class="price">$@(p.Price)</p>
<p class="desc">@p.Description</p>
<ul class="tags">@foreach (var t in p.Tags) {<li>@t</li>}</ul>
@if (p.InStock) {<span class="stock">In stock</span>} else {<span class="stock out">Sold out</span>}
</li>
}
</ul>

""";
}
