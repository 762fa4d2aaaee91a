namespace Kida.AspNetCore;

/// <summary>
/// How <c>{% cache %}</c> uses the application's <c>HybridCache</c> (<see cref="KidaViewOptions.FragmentCache"/>). When
/// a <c>HybridCache</c> is registered (<c>AddHybridCache()</c>, with an <c>IDistributedCache</c> such as Redis as its
/// second level), fragments are stored there and shared by every server using the same distributed cache; otherwise
/// each environment keeps its own in memory.
/// </summary>
public sealed class KidaFragmentCacheOptions
{
    private TimeSpan _tagCheckInterval = TimeSpan.FromSeconds(5);
    private TimeSpan _waitTimeout = TimeSpan.FromSeconds(10);
    private string _keyPrefix = "kida:";

    /// <summary>Store fragments in the registered <c>HybridCache</c> (default true); false keeps them in process memory.</summary>
    public bool UseHybridCache { get; set; } = true;

    /// <summary>
    /// The start of every key Kida writes to the cache (default <c>kida:</c>): give each application sharing one
    /// distributed cache its own prefix.
    /// </summary>
    /// <exception cref="ArgumentException">The value is null, empty, longer than 64 characters or has control characters.</exception>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set
        {
            if (string.IsNullOrEmpty(value) || value.Length > 64 || value.Any(char.IsControl))
                throw new ArgumentException("The key prefix must have 1 to 64 characters and no control characters.", nameof(value));
            _keyPrefix = value;
        }
    }

    /// <summary>
    /// How long a server trusts what it last read of a tag (default 5 seconds): a <c>depends=</c> tag invalidated on
    /// another server is seen here at most this much later. <see cref="TimeSpan.Zero"/> reads the tag from the
    /// distributed cache at every use (one round trip per tag and render; invalidations are seen at once).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan TagCheckInterval
    {
        get => _tagCheckInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _tagCheckInterval = value;
        }
    }

    /// <summary>
    /// How long a render waits for the cache (a distributed read, or another request rendering the same fragment)
    /// before rendering the fragment itself, without storing it (default 10 seconds).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan WaitTimeout
    {
        get => _waitTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _waitTimeout = value;
        }
    }
}
