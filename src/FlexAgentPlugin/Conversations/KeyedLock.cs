namespace FlexAgentPlugin.Conversations;

/// <summary>
/// An async lock per key (here: per user), so two requests of one user never both create a conversation.
/// Entries are removed when their last holder leaves, so idle users cost nothing.
/// </summary>
public sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (entries)
        {
            if (!entries.TryGetValue(key, out entry!))
            {
                entry = new Entry();
                entries.Add(key, entry);
            }

            entry.References++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(key, entry, holdsSemaphore: false);
            throw;
        }

        return new Holder(this, key, entry);
    }

    private void Leave(string key, Entry entry, bool holdsSemaphore)
    {
        if (holdsSemaphore)
        {
            entry.Semaphore.Release();
        }

        lock (entries)
        {
            if (--entry.References == 0)
            {
                entries.Remove(key);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int References { get; set; }
    }

    private sealed class Holder(KeyedLock owner, string key, Entry entry) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Leave(key, entry, holdsSemaphore: true);
            }
        }
    }
}
