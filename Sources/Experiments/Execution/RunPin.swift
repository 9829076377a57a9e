import Postgres
import ServiceKit

extension Executors {
    /// Refuses to start `run` unless it is still the run the executor looked at: `uid` is the
    /// one it read (an editor may have deleted the run and created another of the same name).
    func requireUID(_ run: String, _ uid: String) async throws {
        let current = try await pool.withConnection { try $0.query("select uid::text as uid from runs where name = $1", [run]).first?["uid"] }
        guard let current else { throw Problem.notFound("Run \"\(run)\"") }
        guard current == uid else {
            throw Problem(.conflict, title: "Run was replaced",
                          detail: "run \"\(run)\" now has uid \(current), not \(uid): it was deleted and created again since you read it; review the new run, then execute it with its uid")
        }
    }
}
