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
            TieredCompilation = false, // "compiled" mode means IL from the first render; tiering is tested on its own
            Autoescape = autoescape,
            TrimBlocks = trim,
            LstripBlocks = lstrip,
        });

    public static string Render(bool interpret, string source, object? model = null) =>
        Env(interpret).FromString(source, "test.html").Render(model);
}
