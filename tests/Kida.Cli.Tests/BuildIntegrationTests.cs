using Xunit;

namespace Kida.Cli.Tests;

/// <summary>
/// The build targets of Kida.AspNetCore (buildTransitive/Kida.AspNetCore.targets) in a small project of their own:
/// a broken template fails <c>dotnet build</c> with a canonical MSBuild error line, the opt-out property turns the check
/// off, and the templates are copied to the output.
/// </summary>
public sealed class BuildIntegrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kida-build-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void A_broken_template_fails_the_build_with_file_line_and_column()
    {
        Assert.True(File.Exists(Repository.CliDll), "the tool is built before the tests: " + Repository.CliDll);
        var targets = Path.Combine(Repository.Root, "src", "Kida.AspNetCore", "buildTransitive", "Kida.AspNetCore.targets");
        Write("App.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <KidaCliPath>{Repository.CliDll}</KidaCliPath>
              </PropertyGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        Write("Marker.cs", "namespace App; public static class Marker { }");
        Write("Views/Shared/Layout.html", "<main>{% block content %}{% endblock %}</main>");
        Write("Views/Home/Index.html", "{% extends \"Shared/Layout.html\" %}\n{% block content %}\n  <h1>{{ title + }}</h1>\n{% endblock %}\n");
        Write("Views/Home/Card.kida", "{% def card(n: int) %}{{ n }}{% end %}{{ card(m=1) }}");

        var timeout = TimeSpan.FromMinutes(4);
        var (code, output) = ProcessRunner.Run(_dir, timeout, "build", "--disable-build-servers", "-nologo", "-p:UseSharedCompilation=false");
        Assert.True(code != 0, output);
        var index = Path.Combine(_dir, "Views", "Home", "Index.html");
        Assert.Contains($"{index}(3,18): error K-PAR-003: Expected an expression, got end of print statement", output);
        var card = Path.Combine(_dir, "Views", "Home", "Card.kida");
        Assert.Contains($"{card}(1,49): error K-CMP-001: def 'card' (Home/Card.kida:1:4) has no parameter 'm'", output);
        Assert.Contains("Build FAILED.", output);

        // opting out builds, and the templates are content of the output
        var (off, offOutput) = ProcessRunner.Run(_dir, timeout, "build", "--no-restore", "--disable-build-servers", "-nologo",
            "-p:UseSharedCompilation=false", "-p:KidaCheckTemplates=false");
        Assert.True(off == 0, offOutput);
        Assert.DoesNotContain("K-PAR-003", offOutput);
        Assert.True(File.Exists(Path.Combine(_dir, "bin", "Debug", "net10.0", "Views", "Home", "Index.html")), offOutput);
        Assert.True(File.Exists(Path.Combine(_dir, "bin", "Debug", "net10.0", "Views", "Home", "Card.kida")), offOutput);

        // fixed templates build
        Write("Views/Home/Index.html", "{% extends \"Shared/Layout.html\" %}{% block content %}<h1>{{ title }}</h1>{% endblock %}");
        Write("Views/Home/Card.kida", "{% def card(n: int) %}{{ n }}{% end %}{{ card(n=1) }}");
        var (fixedCode, fixedOutput) = ProcessRunner.Run(_dir, timeout, "build", "--no-restore", "--disable-build-servers", "-nologo", "-p:UseSharedCompilation=false");
        Assert.True(fixedCode == 0, fixedOutput);
        Assert.Contains("kida check: 3 templates, 0 errors", fixedOutput);
    }
}
