import APIModel
import Foundation
import Hummingbird
import Manifests
import ServiceKit

/// The operator controls on the reconciler's port (`dpctl source ...`). Reading (`GET /sources`,
/// `GET /sources/NAME/history`) is as open as `/status`; every control is checked with the
/// server first (`OperatorCheck`: sync needs editor, the rest admin), changes the shared state
/// in one transaction, and is audited through the server naming who asked (`SourceControlEvent`);
/// when the audit event cannot be recorded the change is undone and the answer is 503.
struct ControlRoutes: Sendable {
    let controls: SourceControls
    let store: StatusStore
    let sources: SourceSet
    let operators: OperatorCheck
    /// Records the control in the server's audit log.
    let audit: @Sendable (SourceControlEvent) async throws -> Void
    /// Rings the source's worker when this replica holds it; false when another replica does.
    let ring: @Sendable (String) -> Bool

    func register(on api: APIRouter) {
        api.get("/sources") { _, _ in try await list() }
        api.get("/sources/:source/history") { request, context in try await history(request, context) }
        api.post("/sources/:source/sync") { request, context in try await sync(request, context) }
        for action in [SourceControlEvent.Action.suspend, .resume, .rollback, .unpin] {
            api.post("/sources/:source/\(action.rawValue)") { request, context in try await control(action, request, context) }
        }
    }

    func list() async throws -> Response {
        let status = sources.status
        var config: [JSONMember] = [JSONMember("loadedAt", .string(status.loadedAt))]
        if let file = status.file { config.append(JSONMember("file", .string(file))) }
        if let error = status.error { config.append(JSONMember("error", .string(error))) }
        let items = try await controls.list(status.sources.map(\.name))
        return Response.json(.object([JSONMember("sources", .array(items)), JSONMember("config", .object(config))]))
    }

    func history(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = try known(context)
        let limitText = request.uri.queryParameters["limit"].map(String.init) ?? "20"
        guard let limit = Int(limitText), (1...StatusStore.historyLength).contains(limit) else {
            throw Problem(
                .badRequest, title: "Bad limit",
                detail: "limit: expected a number from 1 to \(StatusStore.historyLength), got \"\(limitText)\"")
        }
        let syncs = try await controls.history(name, limit: limit)
        return Response.json(.object([JSONMember("source", .string(name)), JSONMember("syncs", .array(syncs))]))
    }

    /// `POST /sources/NAME/sync`: poll now through the replica holding the source (or ask it to,
    /// through Postgres, as a webhook does). Refused while the source is suspended.
    func sync(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let asker = try await operators.require(.editor, request, for: "sync")
        let name = try known(context)
        if try await controls.state(name).suspended {
            throw Problem(
                .conflict, title: "Source suspended",
                detail: "source \"\(name)\" is suspended; resume it first (dpctl source resume \(name)); nothing was done")
        }
        try await record(SourceControlEvent(source: name, action: .sync, requestedBy: asker.subject, role: asker.role.rawValue))
        let here = ring(name)
        var members = [JSONMember("source", .string(name)), JSONMember("accepted", true), JSONMember("forwarded", .bool(!here))]
        if !here {
            // The holder's supervisor reads the request within a second and rings its worker.
            try await store.requestPoll(name)
            if let owner = try await controls.list([name]).first?["owner"] { members.append(JSONMember("owner", owner)) }
        }
        return Response.json(.object(members), status: .accepted)
    }

    /// Suspend, resume, rollback (`{"commit": ID}`, a commit this source applied) and unpin.
    func control(_ action: SourceControlEvent.Action, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        let asker = try await operators.require(.admin, request, for: action.rawValue)
        let name = try known(context)
        let commit = action == .rollback ? try await rollbackCommit(request, context, source: name) : nil
        let before: SourceControls.State
        do {
            before = try await controls.change(name, by: asker.subject) { state in
                switch action {
                case .suspend:
                    guard !state.suspended else { throw SourceControls.Refusal(description: "source \"\(name)\" is already suspended") }
                    state.suspended = true
                case .resume:
                    guard state.suspended else { throw SourceControls.Refusal(description: "source \"\(name)\" is not suspended") }
                    state.suspended = false
                    state.heldBack = nil
                case .rollback:
                    state.pinned = commit
                    state.heldBack = nil
                case .unpin:
                    guard state.pinned != nil else {
                        throw SourceControls.Refusal(description: "source \"\(name)\" is not pinned (dpctl source rollback pins it)")
                    }
                    state.pinned = nil
                    state.heldBack = nil
                case .sync: break
                }
            }
        } catch let refusal as SourceControls.Refusal {
            throw Problem(.conflict, title: "Cannot \(action.rawValue)", detail: "\(refusal.description); nothing was changed")
        }
        let event = SourceControlEvent(
            source: name, action: action, requestedBy: asker.subject, role: asker.role.rawValue, commit: commit,
            previous: action == .rollback || action == .unpin ? before.pinned : nil)
        do {
            try await record(event)
        } catch {
            // Not audited, not done: the state goes back to what it was.
            _ = try? await controls.change(name, by: asker.subject) { $0 = before }
            throw error
        }
        if action != .suspend, !ring(name) { try? await store.requestPoll(name) }
        let after = try await controls.state(name)
        var members = [
            JSONMember("source", .string(name)), JSONMember("action", .string(action.rawValue)),
            JSONMember("suspended", .bool(after.suspended)), JSONMember("requestedBy", .string(asker.subject)),
        ]
        if let pinned = after.pinned { members.append(JSONMember("pinnedCommit", .string(pinned))) }
        return Response.json(.object(members))
    }

    /// The configured source the path names; 404 naming it otherwise.
    func known(_ context: APIRequestContext) throws -> String {
        let name = try context.parameters.require("source")
        guard sources.source(name) != nil else {
            let names = sources.status.sources.map(\.name)
            throw Problem(
                .notFound, title: "Not found",
                detail:
                    "source \"\(name)\" is not configured here\(Suggest.hint(for: name, in: names)); dpctl source list shows the sources")
        }
        return name
    }

    /// The full id of the commit a rollback names: 7 to 40 hexadecimal digits, one commit this
    /// source applied (its kept history's synced syncs).
    func rollbackCommit(_ request: Request, _ context: APIRequestContext, source: String) async throws -> String {
        let body = try await request.jsonObject(context: context, limit: 4096)
        guard let given = body["commit"]?.stringValue else {
            throw Problem(.unprocessableContent, title: "Bad rollback", detail: "commit: required, e.g. {\"commit\": \"3f2a9c1\"}")
        }
        guard (7...40).contains(given.count), given.allSatisfy(\.isHexDigit) else {
            throw Problem(
                .unprocessableContent, title: "Bad rollback",
                detail: "commit: \"\(String(given.prefix(64)))\" is not a commit id (7 to 40 hexadecimal digits)")
        }
        let matches = try await controls.appliedCommits(source, prefix: given)
        switch matches.count {
        case 1: return matches[0]
        case 0:
            throw Problem(
                .unprocessableContent, title: "Commit not applied",
                detail:
                    "commit \(given) was never applied by source \"\(source)\" (among its last \(StatusStore.historyLength) syncs); "
                    + "dpctl source history \(source) lists the commits it applied; nothing was changed")
        default:
            throw Problem(
                .unprocessableContent, title: "Ambiguous commit",
                detail: "commit \(given) names \(matches.count) applied commits (\(matches.joined(separator: ", "))); give more digits")
        }
    }

    func record(_ event: SourceControlEvent) async throws {
        do {
            try await audit(event)
        } catch {
            throw Problem(
                .serviceUnavailable, title: "Cannot audit the control",
                detail: "the DataPilot server did not record the audit event (\(error)); nothing was changed", headers: [.retryAfter: "5"])
        }
    }
}
