using System.Text.Json;
using Xunit;
using static Kida.Core.Tests.FidelityRound2Tests;

namespace Kida.Core.Tests;

/// <summary>
/// <c>is mapping</c>, <c>is sequence</c> and <c>is iterable</c> remember their answer for the last type a site saw, and
/// at tier-up answer a member of that exact type without a call. Every value must get the answer the test gives it.
/// </summary>
public class TypeTestSiteTests
{
    public class Box
    {
        public List<string>? Items { get; set; }
        public Dictionary<string, object?>? Map { get; set; }
        public object? Any { get; set; }
    }

    public sealed class Tags : List<string>, IReadOnlyDictionary<string, object?>
    {
        // a list that is also a mapping: not a sequence for Kida (mappings are tested first)
        public object? this[string key] => null;
        public IEnumerable<string> Keys => [];
        public IEnumerable<object?> Values => [];
        public bool ContainsKey(string key) => false;
        public bool TryGetValue(string key, out object? value) { value = null; return false; }
        IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() => Enumerable.Empty<KeyValuePair<string, object?>>().GetEnumerator();
    }

    private const string Source = "{% for b in boxes %}{{ b.items is sequence }}{{ b.items is mapping }}{{ b.items is iterable }}/"
        + "{{ b.map is mapping }}{{ b.map is sequence }}/{{ b.any is sequence }}{{ b.any is mapping }}{{ b.any is iterable }};{% endfor %}";

    private static IEnumerable<int> Numbers() { yield return 1; }

    private static string Expected(Box b)
    {
        // the oracle: what the tests answer for each value as the attribute read gives it (None reads as "")
        static string T(bool v) => v ? "True" : "False";
        object items = b.Items ?? (object)"", map = b.Map ?? (object)"", any = b.Any ?? "";
        return T(Kida.Predicates.BuiltinTests.IsSequenceTest(items)) + T(Kida.Predicates.BuiltinTests.IsMappingTest(items)) + T(Kida.Predicates.BuiltinTests.IsIterableTest(items))
            + "/" + T(Kida.Predicates.BuiltinTests.IsMappingTest(map)) + T(Kida.Predicates.BuiltinTests.IsSequenceTest(map))
            + "/" + T(Kida.Predicates.BuiltinTests.IsSequenceTest(any)) + T(Kida.Predicates.BuiltinTests.IsMappingTest(any)) + T(Kida.Predicates.BuiltinTests.IsIterableTest(any)) + ";";
    }

    public static IEnumerable<Box> Values()
    {
        yield return new Box { Items = ["a"], Map = new() { ["k"] = 1 }, Any = new List<int> { 1 } };
        yield return new Box { Items = null, Map = null, Any = null };
        yield return new Box { Items = new Tags(), Map = new() , Any = new Dictionary<string, object?>() };
        yield return new Box { Items = [], Any = "text" };
        yield return new Box { Items = ["b"], Any = JsonDocument.Parse("[1]").RootElement };
        yield return new Box { Items = ["c"], Any = JsonDocument.Parse("{\"a\": 1}").RootElement };
        yield return new Box { Items = ["d"], Any = Numbers() };
        yield return new Box { Items = ["e"], Any = 5 };
        yield return new Box { Items = ["f"], Any = new[] { 1, 2 } };
    }

    [Theory]
    [MemberData(nameof(Modes3), MemberType = typeof(FidelityRound2Tests))]
    public void Each_value_gets_the_answer_of_the_test(Mode mode)
    {
        var boxes = Values().ToArray();
        var expected = string.Concat(boxes.Select(Expected));
        Assert.Equal(expected, Render(mode, Source, new() { ["boxes"] = boxes }));
        // sites that learned one type meet the others one at a time, after promotion too
        var env = new KidaEnvironment(new KidaOptions
        {
            Loader = new DictLoader(new Dictionary<string, string> { ["main.html"] = Source }),
            PreferInterpretation = mode == Mode.Interpreted,
            TieredCompilation = mode == Mode.Tiered,
            TierUpAfterRenders = int.MaxValue,
        });
        var t = env.GetTemplate("main.html");
        Assert.Equal(Expected(boxes[0]), t.Render(new Dictionary<string, object?> { ["boxes"] = new[] { boxes[0] } }));
        if (mode == Mode.Tiered) t.Compiled.Promote();
        foreach (var b in boxes.Reverse().Concat(boxes))
            Assert.Equal(Expected(b), t.Render(new Dictionary<string, object?> { ["boxes"] = new[] { b } }));
    }

    [Fact]
    public void The_oracle_tells_the_cases_apart()
    {
        // the values above cover both answers of every test at every site
        var answers = Values().Select(Expected).Distinct().Count();
        Assert.True(answers >= 6, answers.ToString());
        // None read through an attribute is "", which is a sequence (and iterable), not a mapping
        Assert.Equal("TrueFalseTrue/FalseTrue/TrueFalseTrue;", Expected(new Box()));
    }
}
