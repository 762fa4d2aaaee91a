using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Kida.AspNetCore.Tests;

/// <summary>
/// A real Redis for the shared-fragment tests: the one <c>.ci/run</c> started (<c>KIDA_REDIS_PORT</c>), or else a
/// <c>redis-server</c> of Debian's started here on a free loopback port and stopped after the tests. When neither
/// exists the tests skip with the reason, except under CI (<c>CI=true</c>), where they fail.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process? _process;

    public RedisServer()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("KIDA_REDIS_PORT"), out var port) && Answers(port))
        {
            Port = port;
            return;
        }
        var exe = FindOnPath("redis-server");
        if (exe is null)
        {
            Unavailable = "redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs and starts it)";
            return;
        }
        port = FreePort();
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 200 && !_process.HasExited; i++)
        {
            if (Answers(port))
            {
                Port = port;
                return;
            }
            Thread.Sleep(50);
        }
        Unavailable = $"redis-server did not answer on 127.0.0.1:{port}";
    }

    /// <summary>The port Redis listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Why there is no Redis, or null.</summary>
    public string? Unavailable { get; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000";

    /// <summary>Skips the test (or fails it under CI) when there is no Redis.</summary>
    public void Require()
    {
        if (Unavailable is null) return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail("CI must run the shared-cache tests against a real Redis: " + Unavailable);
        Skip.If(true, Unavailable);
    }

    public void Dispose()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            using var stream = client.GetStream();
            stream.ReadTimeout = 1000;
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var n = stream.Read(buffer);
            return n >= 5 && System.Text.Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis";
}
