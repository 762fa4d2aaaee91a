using System.Globalization;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// Dates and times print as Python's <c>str</c> prints a datetime, date, time or timedelta, whatever the thread's
/// culture (PyString.DateText): a template shared with a Python service prints a model's date the same way.
/// </summary>
public class DatePrintingTests
{
    public static TheoryData<Mode, int, string> Cases()
    {
        var data = new TheoryData<Mode, int, string>();
        string[] expected =
        [
            "2026-12-06 00:00:00",
            "2026-12-06 09:05:07.250000",
            "2026-01-02 03:04:05.000001",
            "2026-12-06 09:05:00",
            "2026-12-06 09:05:00+01:00",
            "2026-12-06 09:05:00.500000-05:30",
            "2026-12-06 09:05:00+00:00",
            "2026-12-06",
            "09:05:00",
            "23:59:59.999999",
            "1 day, 2:03:04",
            "2 days, 0:00:00",
            "0:00:00",
            "-1 day, 23:59:59",
            "-1 day, 23:59:59.999999",
            "-2 days, 0:00:05",
            "0:00:00.500000",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            // (the extremes, as Python prints the same microseconds)
            "-10675200 days, 21:11:54.522419",
            "10675199 days, 2:48:05.477580",
            "9999-12-31 23:59:59.999999",
            "0001-01-01 00:00:00",
            "2026-12-06 23:59:59-14:00",
        ];
        foreach (var mode in new[] { Mode.Interpreted, Mode.Compiled, Mode.Tiered })
            for (var i = 0; i < expected.Length; i++)
                data.Add(mode, i, expected[i]);
        return data;
    }

    private static object Value(int i) => i switch
    {
        0 => new DateTime(2026, 12, 6),
        1 => new DateTime(2026, 12, 6, 9, 5, 7, 250),
        // (a tick below a microsecond is dropped, as Python has none)
        2 => new DateTime(2026, 1, 2, 3, 4, 5).AddTicks(19),
        3 => new DateTime(2026, 12, 6, 9, 5, 0, DateTimeKind.Utc),
        4 => new DateTimeOffset(2026, 12, 6, 9, 5, 0, TimeSpan.FromHours(1)),
        5 => new DateTimeOffset(2026, 12, 6, 9, 5, 0, 500, TimeSpan.FromMinutes(-330)),
        6 => new DateTimeOffset(2026, 12, 6, 9, 5, 0, TimeSpan.Zero),
        7 => new DateOnly(2026, 12, 6),
        8 => new TimeOnly(9, 5),
        9 => new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_999)),
        10 => new TimeSpan(1, 2, 3, 4),
        11 => TimeSpan.FromDays(2),
        12 => TimeSpan.Zero,
        13 => TimeSpan.FromSeconds(-1),
        14 => TimeSpan.FromTicks(-10),
        15 => new TimeSpan(-2, 0, 0, 5),
        16 => TimeSpan.FromMilliseconds(500),
        17 => Guid.Parse("3F2504E0-4F89-11D3-9A0C-0305E82C3301"),
        18 => TimeSpan.MinValue,
        19 => TimeSpan.MaxValue,
        20 => DateTime.MaxValue,
        21 => DateTime.MinValue,
        _ => new DateTimeOffset(2026, 12, 6, 23, 59, 59, TimeSpan.FromHours(-14)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_date_prints_as_Python_prints_it_on_any_culture(Mode mode, int value, string expected)
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            foreach (var culture in new[] { CultureInfo.InvariantCulture, Odd() })
            {
                CultureInfo.CurrentCulture = culture;
                var context = new Dictionary<string, object?> { ["d"] = Value(value), ["ds"] = new[] { Value(value) } };
                Assert.Equal($"{expected}|{expected}|<{expected}>|{expected}",
                    Render(mode, "{{ d }}|{{ d|string }}|{{ '<' ~ d ~ '>' }}|{% for x in ds %}{{ x }}{% endfor %}", context, autoescape: false));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    /// <summary>A culture whose dates, times and numbers look nothing like Python's (made here: the machine may have no
    /// culture data but the invariant one).</summary>
    private static CultureInfo Odd()
    {
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.DateTimeFormat.DateSeparator = ".";
        c.DateTimeFormat.TimeSeparator = "h";
        c.DateTimeFormat.ShortDatePattern = "dd/MM/yyyy";
        c.DateTimeFormat.LongTimePattern = "HH:mm:ss tt";
        c.DateTimeFormat.AMDesignator = "vorm.";
        c.DateTimeFormat.PMDesignator = "nachm.";
        c.NumberFormat.NumberDecimalSeparator = ",";
        c.NumberFormat.NegativeSign = "~";
        return c;
    }

    [Fact]
    public void A_loop_over_a_model_list_of_dates_prints_them_the_same_before_and_after_tier_up()
    {
        var dates = new List<DateTime> { new(2026, 12, 6), new(1999, 12, 31, 23, 59, 59) };
        Assert.Equal("2026-12-06 00:00:00;1999-12-31 23:59:59;",
            Render(Mode.Tiered, "{% for d in dates %}{{ d }};{% endfor %}", new() { ["dates"] = dates }));
    }
}
