namespace Kida.Core.Tests;

public static class Modes
{
    public static IEnumerable<object[]> Both => [[false], [true]];

    public static KidaEnvironment Env(bool interpret, Dictionary<string, string>? templates = null, bool autoescape = true,
        bool trim = false, bool lstrip = false) =>
        new(new KidaOptions
        {
            Loader = new DictLoader(templates ?? new Dictionary<string, string>()),
            PreferInterpretation = interpret,
            Autoescape = autoescape,
            TrimBlocks = trim,
            LstripBlocks = lstrip,
        });

    public static string Render(bool interpret, string source, object? model = null) =>
        Env(interpret).FromString(source, "test.html").Render(model);
}
