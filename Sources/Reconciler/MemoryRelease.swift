#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory freed by a poll back to the system. glibc's allocator keeps what a large step
/// freed (a full sync's or a drift scan's live lists, a first snapshot's parse) in its arenas,
/// so without this the long-running reconciler's RSS stays at its peak between syncs.
enum MemoryRelease {
    /// Releases the free pages of every arena (`malloc_trim(0)`); a no-op elsewhere.
    static func afterPoll() {
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
