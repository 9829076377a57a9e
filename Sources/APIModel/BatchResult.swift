import Manifests

/// What a batch did to one object.
public enum BatchOutcome: String, WireEnum, Hashable {
    /// Created (201 for a single create).
    case created
    /// Changed.
    case updated
    /// Already as sent: nothing written, no audit event.
    case unchanged
    /// This object is why the batch was refused; `problem` says why.
    case refused
    /// Nothing written because another object of the batch was refused (all or nothing).
    case notApplied
}

/// One object's result, in the order the request listed the objects.
public struct BatchResult: Codable, Sendable, Hashable {
    /// `dataset/churn`; for an object whose kind or name could not be read, `objects[3]`.
    public var object: String
    /// Where the object is in the request: `objects[3]`.
    public var index: Int
    public var result: BatchOutcome
    /// The HTTP status a single write of this object would have answered (201, 200, 404, 409, 412, 422 ...).
    public var status: Int
    /// The object's resourceVersion after the batch, for created, updated and unchanged.
    public var resourceVersion: String?
    /// Why: for refused, the problem naming the object and the field (`errors[].path` starts at
    /// `objects[3]`); for notApplied, which object's refusal stopped the batch.
    public var detail: String?
    public var errors: [ProblemDetails.ValidationError]?

    public init(
        object: String, index: Int, result: BatchOutcome, status: Int, resourceVersion: String? = nil, detail: String? = nil,
        errors: [ProblemDetails.ValidationError]? = nil
    ) {
        self.object = object
        self.index = index
        self.result = result
        self.status = status
        self.resourceVersion = resourceVersion
        self.detail = detail
        self.errors = errors
    }
}

/// The answer of `POST /api/batch`: 200 with every object's result when the batch was applied
/// (or, with `?dryRun=true`, would be). A refused batch is a problem (`application/problem+json`,
/// the status of the first refusal) whose `results` member carries the same list.
public struct BatchResponse: WireBody, Hashable {
    public var results: [BatchResult]

    public init(results: [BatchResult]) {
        self.results = results
    }

    public func validate() throws(BodyError) {
        for (index, result) in results.enumerated() where result.index != index {
            throw BodyError("results[\(index)].index", "\(index), the object's place in the request")
        }
    }
}
