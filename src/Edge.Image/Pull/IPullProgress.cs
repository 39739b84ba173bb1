namespace Edge.Image.Pull;

/// <summary>What a pull reports per blob, for a progress display (or nothing, with <see cref="Silent"/>).</summary>
public interface IPullProgress
{
    /// <summary>A blob starts downloading; <paramref name="resumedAt"/> bytes were kept from an earlier try.</summary>
    void Begin(Digest digest, string kind, long size, long resumedAt);
    void Advance(Digest digest, long bytes);
    /// <summary>A download broke and restarts at <paramref name="offset"/>.</summary>
    void Retry(Digest digest, long offset, string reason);
    /// <summary>Done; <paramref name="existed"/> when the store already had it.</summary>
    void Complete(Digest digest, string kind, long size, bool existed);
    /// <summary>The pull succeeded: every blob is in the store.</summary>
    void Finished() { }

    public static IPullProgress Silent { get; } = new SilentProgress();

    private sealed class SilentProgress : IPullProgress
    {
        public void Begin(Digest digest, string kind, long size, long resumedAt) { }
        public void Advance(Digest digest, long bytes) { }
        public void Retry(Digest digest, long offset, string reason) { }
        public void Complete(Digest digest, string kind, long size, bool existed) { }
    }
}
