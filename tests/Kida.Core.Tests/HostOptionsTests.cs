using Xunit;

namespace Kida.Core.Tests;

/// <summary>
/// What used to be process-wide is per environment: how values carrying their own HTML are written
/// (<see cref="KidaOptions.SafeHtml"/>), and the interpreted mode asked for by the process (KIDA_PREFER_INTERPRETATION,
/// applied when an environment is built, never read by <see cref="KidaOptions"/>).
/// </summary>
public class HostOptionsTests
{
    /// <summary>A host's HTML type (as ASP.NET Core's IHtmlContent): the template sees it as an ordinary object.</summary>
    private sealed class Widget(string html)
    {
        public string Html { get; } = html;
        public override string ToString() => "widget";
    }

    private static KidaEnvironment Env(bool interpret, Func<object, string?>? safeHtml) => new(new KidaOptions
    {
        PreferInterpretation = interpret,
        TieredCompilation = false,
        SafeHtml = safeHtml,
    });

    private static string? WidgetHtml(object value) => value is Widget w ? w.Html : null;

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void SafeHtml_of_the_environment_writes_its_values_raw(bool interpret)
    {
        var model = new { w = new Widget("<b>x</b>"), s = "<i>" };
        const string source = "{{ w }}|{{ w is escaped }}|{{ w|e }}|{{ w ~ '' }}|{{ s }}";
        // ~ joins the HTML as text (the result is not markup), as it did with the former process-wide hook
        Assert.Equal("<b>x</b>|True|<b>x</b>|&lt;b&gt;x&lt;/b&gt;|&lt;i&gt;", Env(interpret, WidgetHtml).FromString(source).Render(model));
    }

    [Theory]
    [MemberData(nameof(Modes.Both), MemberType = typeof(Modes))]
    public void Another_environment_in_the_same_process_escapes_the_same_value(bool interpret)
    {
        var model = new { w = new Widget("<b>x</b>") };
        var withHtml = Env(interpret, WidgetHtml).FromString("{{ w }}|{{ w is escaped }}");
        var plain = Env(interpret, null).FromString("{{ w }}|{{ w is escaped }}");
        Assert.Equal("<b>x</b>|True", withHtml.Render(model));
        Assert.Equal("widget|False", plain.Render(model));
        Assert.Equal("<b>x</b>|True", withHtml.Render(model));
    }

    [Fact]
    public void KidaOptions_defaults_read_nothing_and_the_environment_applies_the_process_switch()
    {
        // the process's own variables are left alone (tests run in parallel): the switch reads through a stand-in
        var options = new KidaOptions();
        Assert.Equal(!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeCompiled, options.PreferInterpretation);
        var switched = HostSwitches.Apply(options, name => name == "KIDA_PREFER_INTERPRETATION" ? "1" : null);
        Assert.True(switched.PreferInterpretation);
        Assert.Same(options, HostSwitches.Apply(options, _ => null));
        Assert.Same(options, HostSwitches.Apply(options, _ => "0"));
        var already = options with { PreferInterpretation = true };
        Assert.Same(already, HostSwitches.Apply(already, _ => "1"));
        // the environment's options are what it runs with
        var env = new KidaEnvironment(options);
        Assert.Equal(Environment.GetEnvironmentVariable("KIDA_PREFER_INTERPRETATION") == "1" || options.PreferInterpretation,
            env.Options.PreferInterpretation);
    }
}
