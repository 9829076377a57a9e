extension SourceWorker {
    /// The commit this poll may apply: the head, or the commit an operator pinned the source to;
    /// nil while the source is suspended, and when its controls cannot be read (a suspended
    /// source must not sync because its database blinked). A head held back is recorded, so
    /// that `dpctl source list` shows the reconciler saw it.
    func target(for head: String) async -> String? {
        guard let controls else { return head }
        let state: SourceControls.State
        do {
            state = try await controls.state(configuration.name)
        } catch {
            logger.error("cannot read the source's controls (suspended, pinned); this poll applies nothing: \(error)")
            return nil
        }
        metrics.controls(configuration.name, suspended: state.suspended, pinned: state.pinned != nil)
        let heldBack = state.suspended || (state.pinned != nil && state.pinned != head) ? head : nil
        if heldBack != state.heldBack {
            do {
                try await controls.holdBack(configuration.name, commit: heldBack)
            } catch {
                logger.warning("cannot record the held-back commit: \(error)")
            }
            if let heldBack {
                let why = state.suspended ? "the source is suspended" : "the source is pinned to \(state.pinned ?? "")"
                logger.info("commit held back: \(why)", metadata: ["commit": .string(heldBack)])
            }
        }
        return state.suspended ? nil : state.pinned ?? head
    }

    /// Keeps a synced commit's author and message for `dpctl source history`.
    func remember(_ snapshot: CommitSnapshot?) async {
        guard let controls, let snapshot else { return }
        do {
            try await controls.remember(configuration.name, commit: snapshot.commit, author: snapshot.author, message: snapshot.message)
        } catch {
            logger.warning("cannot record the commit's author for the history: \(error)")
        }
    }
}
