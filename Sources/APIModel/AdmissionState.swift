/// Where a DatasetVersion stands on the way to being used: `Pending → Evaluating → Admitted |
/// Quarantined`, or `Unchecked` when nothing can be checked (its dataset has no quality rules,
/// or its content is external and the server holds no bytes). The version's
/// `status.admission.state` carries it; runs read Admitted and Unchecked inputs only, unless
/// they say `spec.allowUnadmittedInputs: true`.
public enum AdmissionState: String, WireEnum, Hashable {
    /// Stored, with rules to check; an evaluation is queued.
    case pending = "Pending"
    /// A worker is evaluating it.
    case evaluating = "Evaluating"
    /// Its last evaluation against all of its dataset's rules passed (or only warned), or an
    /// admin admitted it.
    case admitted = "Admitted"
    /// Its last evaluation failed or could not evaluate the data, or an admin quarantined it.
    case quarantined = "Quarantined"
    /// Nothing to check.
    case unchecked = "Unchecked"

    /// Whether a run may read a version in this state without `allowUnadmittedInputs`.
    public var usable: Bool { self == .admitted || self == .unchecked }

    /// Whether the state will still change by itself (an evaluation is queued or running).
    public var settling: Bool { self == .pending || self == .evaluating }
}
