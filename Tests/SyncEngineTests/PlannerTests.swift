import APIModel
import Manifests
import SyncEngine
import Testing

@Suite struct PlannerTests {
    @Test func missingObjectsAreCreatedAndEqualOnesUnchanged() throws {
        let desired = manifests(dataset("churn") + dataset("events"))
        let plan = try Planner().plan(desired: desired, live: [ObjectRef(.dataset, "churn"): liveDataset("churn")])
        #expect(plan.items.map(\.action) == [.unchanged, .create])
        #expect(plan.items.map(\.ref.name) == ["churn", "events"])
        #expect(plan.hasChanges)
        #expect(plan.summary == "1 to create, 0 to update, 0 to delete, 1 unchanged")
    }

    @Test func serverOwnedFieldsAndKeyOrderNeverDiffer() throws {
        var live = liveDataset("churn")
        live = replacing(live, "metadata", "resourceVersion", with: "99")
        let plan = try Planner().plan(desired: manifests(dataset("churn")), live: [ObjectRef(.dataset, "churn"): live])
        #expect(plan.items.map(\.action) == [.unchanged])
    }

    @Test func aChangedFieldIsAnUpdateWithItsPointer() throws {
        let plan = try Planner().plan(
            desired: manifests(dataset("churn", format: "parquet")),
            live: [ObjectRef(.dataset, "churn"): liveDataset("churn")])
        let item = try #require(plan.items.first)
        #expect(item.action == .update)
        #expect(item.changes.map(\.path) == ["/spec/format"])
        #expect(item.changes.first?.old == "csv" && item.changes.first?.new == "parquet")
    }

    @Test func ignoredFieldsNeitherDifferNorGetOverwritten() throws {
        let desired = manifests(
            dataset(
                "churn", labels: "{team: growth, tier: gold}",
                annotations: "{datapilot.io/ignore-differences: '/metadata/labels/tier, /spec/description'}"))
        var live = liveDataset(
            "churn", labels: ["team": "growth", "tier": "silver"],
            annotations: ["datapilot.io/ignore-differences": "/metadata/labels/tier, /spec/description"])
        live = replacing(live, "spec", "description", with: "edited by hand")
        var plan = try Planner().plan(desired: desired, live: [ObjectRef(.dataset, "churn"): live])
        #expect(plan.items.map(\.action) == [.unchanged])

        // Another change makes an update, and the update keeps the live values of ignored fields.
        live = replacing(live, "spec", "format", with: "json")
        plan = try Planner().plan(desired: desired, live: [ObjectRef(.dataset, "churn"): live])
        let item = try #require(plan.items.first)
        #expect(item.action == .update)
        #expect(item.changes.map(\.path) == ["/spec/format"])
        let body = item.ignore.keepingLive(item.manifest!.body, live: live)
        #expect(body["metadata"]?["labels"]?["tier"] == "silver")
        #expect(body["spec"]?["description"] == "edited by hand")
        #expect(body["spec"]?["format"] == "csv")
    }

    @Test(arguments: [
        ("spec/format", "a JSON pointer starts with /"),
        ("/status/size", "only fields under /spec or /metadata"),
        ("/metadata/name", "name cannot be ignored"),
    ])
    func badIgnorePointersRefuseTheObject(pointer: String, message: String) throws {
        let desired = manifests(dataset("churn", annotations: "{datapilot.io/ignore-differences: '\(pointer)'}"))
        let plan = try Planner().plan(desired: desired, live: [:])
        let item = try #require(plan.items.first)
        #expect(item.action == .refused)
        #expect(item.reason?.contains("test.yaml:3:") == true)
        #expect(item.reason?.contains(message) == true, "\(item.reason ?? "")")
    }

    @Test func ordersByDependencyAndDeletesInReverse() throws {
        let desired = manifests(
            """
            apiVersion: datapilot.io/v1alpha1
            kind: Experiment
            metadata: {name: baselines}
            spec: {datasets: [churn], objective: {metric: auc, goal: maximize}}
            ---
            """ + "\n" + dataset("churn"))
        let inventory: Set<ObjectRef> = [ObjectRef(.dataset, "old"), ObjectRef(.experiment, "old-exp"), ObjectRef(.dataset, "churn")]
        let live: [ObjectRef: JSONValue] = [
            ObjectRef(.dataset, "old"): liveDataset("old"),
            ObjectRef(.experiment, "old-exp"): ["kind": "Experiment", "metadata": ["name": "old-exp"]],
        ]
        let plan = try Planner().plan(desired: desired, live: live, prune: .init(inventory: inventory, maxDeletes: 10))
        #expect(plan.items.map(\.ref.description) == ["dataset/churn", "experiment/baselines", "experiment/old-exp", "dataset/old"])
        #expect(plan.items.map(\.action) == [.create, .create, .delete, .delete])
        #expect(desired.first { $0.kind == .experiment }?.dependencies == [ObjectRef(.dataset, "churn")])
    }

    @Test func pruneGuards() throws {
        let inventory: Set<ObjectRef> = [ObjectRef(.dataset, "a"), ObjectRef(.dataset, "b"), ObjectRef(.dataset, "keep")]
        var live: [ObjectRef: JSONValue] = [:]
        for name in ["a", "b"] { live[ObjectRef(.dataset, name)] = liveDataset(name) }
        live[ObjectRef(.dataset, "keep")] = liveDataset("keep", annotations: ["datapilot.io/protected": "true"])

        // Never from an empty set.
        #expect(throws: PlanError.self) { try Planner().plan(desired: [], live: live, prune: .init(inventory: inventory, maxDeletes: 10)) }
        // Not beyond the threshold (the protected object does not count: it is not deleted).
        let desired = manifests(dataset("other"))
        do {
            _ = try Planner().plan(desired: desired, live: live, prune: .init(inventory: inventory, maxDeletes: 1))
            Issue.record("a prune of 2 with a limit of 1 was planned")
        } catch {
            #expect(error.description.contains("--max-deletes 2"))
        }
        let plan = try Planner().plan(desired: desired, live: live, prune: .init(inventory: inventory, maxDeletes: 2))
        #expect(
            plan.items.map { "\($0.ref) \($0.action)" } == [
                "dataset/other create", "dataset/keep refused", "dataset/b delete", "dataset/a delete",
            ])
        #expect(plan.items[1].reason?.contains("datapilot.io/protected=true") == true)
        // Objects that are live but were never in the inventory are not touched.
        live[ObjectRef(.dataset, "stranger")] = liveDataset("stranger")
        let again = try Planner().plan(desired: desired, live: live, prune: .init(inventory: inventory, maxDeletes: 2))
        #expect(!again.items.contains { $0.ref.name == "stranger" })
    }

    @Test func versionsCompareByContentAndRefuseChanges() throws {
        let sha = String(repeating: "a", count: 64)
        let desired = manifests(
            """
            apiVersion: datapilot.io/v1alpha1
            kind: DatasetVersion
            metadata: {name: churn-1, labels: {month: "10"}}
            spec: {dataset: churn, description: October, source: {url: "https://example.com/c.csv", sha256: \(sha)}}
            """)
        let ref = ObjectRef(.datasetVersion, "churn-1")
        let content = VersionContent(file: nil, repositoryPath: nil, url: "https://example.com/c.csv", sha256: sha, size: nil)
        let live: JSONValue = [
            "kind": "DatasetVersion",
            "metadata": ["name": "churn-1", "labels": ["month": "10"], "annotations": .object([]), "resourceVersion": "1"],
            "spec": [
                "source": ["url": "https://example.com/c.csv", "sha256": .string(sha)], "dataset": "churn", "description": "October",
            ],
            "status": ["sha256": .string(sha), "size": 10],
        ]
        // Same content: unchanged.
        var plan = try Planner().plan(desired: desired, live: [ref: live], contents: [ref: .success(content)])
        #expect(plan.items.map(\.action) == [.unchanged])
        // Other content: refused, saying to make a new version.
        var changed = content
        changed.sha256 = String(repeating: "b", count: 64)
        plan = try Planner().plan(desired: desired, live: [ref: live], contents: [ref: .success(changed)])
        #expect(plan.items.map(\.action) == [.refused])
        #expect(plan.items[0].reason?.contains("create a new version") == true)
        // A label change is an update.
        let relabelled = replacing(live, "metadata", "labels", with: ["month": "9"])
        plan = try Planner().plan(desired: desired, live: [ref: relabelled], contents: [ref: .success(content)])
        #expect(plan.items.map(\.action) == [.update])
        // Unreadable data: refused with the reason.
        plan = try Planner().plan(desired: desired, live: [:], contents: [ref: .failure(ContentError(description: "data.csv not found"))])
        #expect(plan.items.map(\.action) == [.refused])
        // Versions are never pruned.
        plan = try Planner().plan(desired: manifests(dataset("x")), live: [ref: live], prune: .init(inventory: [ref], maxDeletes: 5))
        #expect(plan.items.last?.action == .refused)
        #expect(plan.items.last?.reason?.contains("immutable") == true)
    }

    @Test func integralNumbersCompareEqualWhateverTheirForm() {
        #expect(ComparableForm.normalized(["C": .double(1.0), "x": [.double(2.5)]]) == ["C": .int(1), "x": [.double(2.5)]])
    }
}

func replacing(_ object: JSONValue, _ section: String, _ key: String, with value: JSONValue) -> JSONValue {
    guard case .object(var members) = object, let i = members.firstIndex(where: { $0.key == section }),
        case .object(var inner) = members[i].value
    else { return object }
    if let j = inner.firstIndex(where: { $0.key == key }) { inner[j].value = value } else { inner.append(JSONMember(key, value)) }
    members[i].value = .object(inner)
    return .object(members)
}
