import BoxCore
import BoxKube
import BoxStore
import Logging
import Testing

/// The verbs' semantics over an in-memory store.
@Suite struct KubeAPITests {
    let api = KubeAPI(
        store: InMemoryStore(), clock: ManualClock(), admission: AdmitAll(), logger: Logger(label: "test"))

    func deployment(_ name: String, replicas: Int = 1) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "labels": ["app": .string(name)]],
            "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]]],
        ]
    }

    @Test func createSetsServerMetadataAndConflictsAreDetected() async throws {
        try await api.bootstrap()
        let created = try await api.create(.deployment, namespace: "default", deployment("web"))
        #expect(created.uid.count == 36)
        #expect(created.generation == 1)
        #expect(!created.resourceVersion.isEmpty)
        #expect(created.namespace == "default")
        await #expect(throws: KubeError.alreadyExists(.deployment, "web")) {
            try await api.create(.deployment, namespace: "default", deployment("web"))
        }
        var changed = created
        changed.set(["spec", "replicas"], 3)
        let updated = try await api.update(.deployment, namespace: "default", name: "web", changed)
        #expect(updated.generation == 2)
        // The old version is stale now.
        await #expect(throws: KubeError.conflict(.deployment, "web")) {
            try await api.update(.deployment, namespace: "default", name: "web", changed)
        }
        // A no-op write keeps the version.
        let same = try await api.update(.deployment, namespace: "default", name: "web", updated)
        #expect(same.resourceVersion == updated.resourceVersion)
        await #expect(throws: KubeError.notFound(.namespace, "nope")) {
            try await api.create(.deployment, namespace: "nope", deployment("web"))
        }
    }

    @Test func listPagesAndSelects() async throws {
        try await api.bootstrap()
        for index in 0..<5 { try await api.create(.deployment, namespace: "default", deployment("d\(index)")) }
        var options = ListOptions(limit: 2)
        var names: [String] = []
        repeat {
            let page = try await api.list(.deployment, namespace: "default", options: options)
            names += page.items.map(\.name)
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        #expect(names == ["d0", "d1", "d2", "d3", "d4"])
        let selected = try await api.list(
            .deployment, namespace: nil,
            options: ListOptions(
                labelSelector: try LabelSelector(parsing: "app in (d1,d3)"),
                fieldSelector: try FieldSelector(parsing: "metadata.name!=d3", for: .deployment)))
        #expect(selected.items.map(\.name) == ["d1"])
    }

    @Test func watchListSendsInitialStateThenABookmarkThenChanges() async throws {
        try await api.bootstrap()
        try await api.create(.deployment, namespace: "default", deployment("a"))
        let stream = try await api.watch(
            .deployment, namespace: "default", options: ListOptions(sendInitialEvents: true))
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next()?.kind == .added)
        let bookmark = try await iterator.next()
        #expect(bookmark?.kind == .bookmark)
        #expect(bookmark?.object.annotations["k8s.io/initial-events-end"] == "true")
        try await api.create(.deployment, namespace: "default", deployment("b"))
        let added = try await iterator.next()
        #expect(added?.kind == .added && added?.object.name == "b")
        try await api.delete(.deployment, namespace: "default", name: "b")
        #expect(try await iterator.next()?.kind == .deleted)
    }

    @Test func finalizersDelayDeletionUntilEmptied() async throws {
        try await api.bootstrap()
        var object = deployment("f")
        object.finalizers = ["example.com/hold"]
        try await api.create(.deployment, namespace: "default", object)
        let outcome = try await api.delete(.deployment, namespace: "default", name: "f")
        guard case .pending(var marked) = outcome else {
            Issue.record("deleted at once")
            return
        }
        #expect(marked.deletionTimestamp != nil)
        marked.finalizers = []
        try await api.update(.deployment, namespace: "default", name: "f", marked)
        await #expect(throws: KubeError.notFound(.deployment, "f")) {
            try await api.get(.deployment, namespace: "default", name: "f")
        }
    }
}

/// Plain lists splice the version into the stored bytes; the result must parse to what `list` returns.
@Suite struct StoredJSONListTests {
    @Test func listJSONMatchesList() async throws {
        let api = KubeAPI(
            store: InMemoryStore(), clock: ManualClock(), admission: AdmitAll(), logger: Logger(label: "test"))
        try await api.bootstrap()
        for name in ["a", "b"] {
            let data: JSONValue = ["tricky": #"\"metadata\":{"#, "x": "}"]
            try await api.create(.configMap, namespace: "default", ["metadata": ["name": .string(name)], "data": data])
        }
        let raw = try await api.listJSON(.configMap, namespace: "default")
        let parsed = try raw.items.map { try JSONParser.parse($0) }
        let listed = try await api.list(.configMap, namespace: "default")
        #expect(parsed == listed.items)
        #expect(parsed.map(\.resourceVersion).allSatisfy { !$0.isEmpty })
    }
}
