import CLibGit2
import Dispatch

/// What the C callbacks of one operation see through their payload pointer.
final class CallbackContext {
    let access: RemoteAccess
    let session: RemoteSession
    let started = DispatchTime.now()

    init(access: RemoteAccess, session: RemoteSession) {
        self.access = access
        self.session = session
    }

    /// Non-nil (the status to return) once the deadline has passed or the operation was aborted.
    func stopIfNeeded() -> Int32? {
        if DispatchTime.now() >= access.deadline {
            let seconds = Double(access.deadline.uptimeNanoseconds &- started.uptimeNanoseconds) / 1e9
            session.abort(.timedOut(seconds: seconds))
        }
        guard let reason = session.abortReason else { return nil }
        switch reason {
        case .timedOut(let seconds): return fail(GIT_EUSER, "timed out after \(Self.format(seconds))s")
        case .credentialRejected(let text): return fail(GIT_EAUTH, text)
        case .hostKeyRejected(let text): return fail(GIT_ECERTIFICATE, text)
        }
    }

    func fail(_ code: git_error_code, _ message: String) -> Int32 {
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), message)
        return code.rawValue
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }

    static func from(_ payload: UnsafeMutableRawPointer?) -> CallbackContext {
        Unmanaged<CallbackContext>.fromOpaque(payload!).takeUnretainedValue()
    }
}

/// Fills `git_remote_callbacks` for one operation and keeps the context alive while `body` runs.
func withRemoteCallbacks<T>(
    _ access: RemoteAccess, _ session: RemoteSession,
    _ body: (git_remote_callbacks) -> T
) -> T {
    _ = LibGit2.initialized
    let context = CallbackContext(access: access, session: session)
    var callbacks = git_remote_callbacks()
    git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
    callbacks.payload = Unmanaged.passUnretained(context).toOpaque()
    callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
        let context = CallbackContext.from(payload)
        if let status = context.stopIfNeeded() { return status }
        return context.credential(out, usernameFromURL.map { String(cString: $0) }, allowed)
    }
    callbacks.certificate_check = { cert, valid, host, payload in
        let context = CallbackContext.from(payload)
        if let status = context.stopIfNeeded() { return status }
        return context.checkCertificate(cert, valid: valid != 0, host: host.map { String(cString: $0) } ?? "")
    }
    callbacks.transfer_progress = { _, payload in CallbackContext.from(payload).stopIfNeeded() ?? 0 }
    callbacks.sideband_progress = { _, _, payload in CallbackContext.from(payload).stopIfNeeded() ?? 0 }
    callbacks.update_tips = { _, _, _, payload in CallbackContext.from(payload).stopIfNeeded() ?? 0 }
    callbacks.remote_ready = { _, _, payload in CallbackContext.from(payload).stopIfNeeded() ?? 0 }
    let result = body(callbacks)
    withExtendedLifetime(context) {}
    return result
}
