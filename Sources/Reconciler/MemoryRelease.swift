#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory freed by a poll back to the system. glibc's allocator keeps what a large step
/// freed (a full sync's or a drift scan's live lists, a first snapshot's parse) in its arenas,
/// so without this the long-running reconciler's RSS stays at its peak between syncs.
enum MemoryRelease {
    /// Releases the free pages of every arena with glibc's `malloc_trim(0)` (looked up by name:
    /// the Glibc module's headers leave it out); a no-op without glibc.
    static func afterPoll() {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
        #endif
    }
}
