/// How the objects a sync (or an apply) wrote are doing, as Argo CD's health says it:
/// `Healthy`, `Progressing` (an evaluation is pending or a run it started is still going) or
/// `Degraded` (a version is quarantined, or a run it started failed). Ordered: the health of
/// many objects is the worst of theirs.
public enum HealthState: String, WireEnum, Hashable, Comparable {
    case healthy = "Healthy"
    case progressing = "Progressing"
    case degraded = "Degraded"

    var rank: Int {
        switch self {
        case .healthy: return 0
        case .progressing: return 1
        case .degraded: return 2
        }
    }

    public static func < (lhs: HealthState, rhs: HealthState) -> Bool { lhs.rank < rhs.rank }

    /// The health of objects together: the worst of theirs, Healthy for none.
    public static func overall(_ states: some Sequence<HealthState>) -> HealthState { states.max() ?? .healthy }
}
