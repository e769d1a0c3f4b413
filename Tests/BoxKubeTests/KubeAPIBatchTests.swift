import BoxCore
import BoxKube
import BoxStore
import Logging
import Synchronization
import Testing

/// Batches of changes, creates and events, and wire watches, against what the single calls do.
@Suite struct KubeAPIBatchTests {
    let api = KubeAPI(
        store: InMemoryStore(), clock: ManualClock(), admission: AdmitAll(), logger: Logger(label: "test"))

    func configMap(_ name: String, _ data: [String: String] = [:], labels: [String: String] = [:]) -> JSONValue {
        [
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
            "data": .object(data.mapValues { .string($0) }),
        ]
    }

    static func setting(_ key: String, _ value: String) -> @Sendable (JSONValue) throws(KubeError) -> JSONValue {
        { current throws(KubeError) in
            var next = current
            next.set(["data", key], .string(value))
            return next
        }
    }

    @Test func batchOfChangesActsAsSingleChanges() async throws {
        // A real change (new version), a no-op (same version), a missing object (404), a change that refuses
        // (its error, nothing written): each as `modify` would do it.
        try await api.bootstrap()
        let a = try await api.create(.configMap, namespace: "default", configMap("a", ["k": "1"]))
        let b = try await api.create(.configMap, namespace: "default", configMap("b", ["k": "1"]))
        let c = try await api.create(.configMap, namespace: "default", configMap("c", ["k": "1"]))
        let results = await api.modify([
            KubeModification(.configMap, namespace: "default", name: "a", change: Self.setting("k", "2")),
            KubeModification(.configMap, namespace: "default", name: "b", change: Self.setting("k", "1")),
            KubeModification(.configMap, namespace: "default", name: "missing", change: Self.setting("k", "2")),
            KubeModification(.configMap, namespace: "default", name: "c") { _ throws(KubeError) in
                throw .conflict(.configMap, "c", "refused")
            },
        ])
        #expect(results.count == 4)
        let changed = try results[0].get()
        #expect(changed[path: ["data", "k"]] == "2")
        #expect(Int(changed.resourceVersion) ?? 0 > Int(c.resourceVersion) ?? 0)
        #expect(try await api.get(.configMap, namespace: "default", name: "a") == changed)
        #expect(changed.resourceVersion != a.resourceVersion)
        #expect(try results[1].get().resourceVersion == b.resourceVersion)
        #expect(throws: KubeError.notFound(.configMap, "missing")) { try results[2].get() }
        #expect(throws: KubeError.self) { try results[3].get() }
        #expect(try await api.get(.configMap, namespace: "default", name: "c") == c)
    }

    @Test func aLostRaceInTheBatchIsDoneAgainAlone() async throws {
        // Two changes of one object in one batch: the second's compare-and-swap fails against the first's write,
        // so it is read and done again; both changes are in the result.
        try await api.bootstrap()
        try await api.create(.configMap, namespace: "default", configMap("a"))
        let results = await api.modify([
            KubeModification(.configMap, namespace: "default", name: "a", change: Self.setting("x", "1")),
            KubeModification(.configMap, namespace: "default", name: "a", change: Self.setting("y", "2")),
        ])
        let last = try results[1].get()
        #expect(last[path: ["data", "x"]] == "1" && last[path: ["data", "y"]] == "2")
        #expect(try await api.get(.configMap, namespace: "default", name: "a") == last)
    }

    @Test func batchOfCreatesChecksEachLikeCreate() async throws {
        // A new object, a taken name (409), a missing namespace (404), a wrong kind (400); only the first is stored.
        try await api.bootstrap()
        try await api.create(.configMap, namespace: "default", configMap("taken"))
        var wrongKind = configMap("w")
        wrongKind.set(["kind"], "Secret")
        let results = await api.create(
            .configMap,
            [
                ("default", configMap("new", ["k": "v"])), ("default", configMap("taken")), ("nope", configMap("x")),
                ("default", wrongKind),
            ])
        let created = try results[0].get()
        #expect(created.uid.count == 36 && !created.resourceVersion.isEmpty)
        #expect(try await api.get(.configMap, namespace: "default", name: "new") == created)
        #expect(throws: KubeError.alreadyExists(.configMap, "taken")) { try results[1].get() }
        #expect(throws: KubeError.notFound(.namespace, "nope")) { try results[2].get() }
        #expect((try? results[3].get()) == nil)
        await #expect(throws: KubeError.self) { try await api.get(.configMap, namespace: "default", name: "w") }
    }

    @Test func recordEventsCountsRepeats() async throws {
        // The same event twice in one batch, then again: one Event with count 2 (once created, once raised).
        try await api.bootstrap()
        let pod = try await api.create(
            .configMap, namespace: "default", configMap("p"))
        let record = KubeEventRecord(about: pod, reason: "Scheduled", message: "assigned", component: "test")
        await api.recordEvents([record, record])
        var events = try await api.list(.event, namespace: "default").items
        #expect(events.count == 1)
        #expect(events.first?["count"]?.intValue == 1)
        await api.recordEvents([record])
        events = try await api.list(.event, namespace: "default").items
        #expect(events.map { $0["count"]?.intValue } == [2])
        #expect(events.first?["reason"] == "Scheduled")
    }

    @Test func wireWatchSendsWhatWatchSends() async throws {
        // The same changes seen by `watch` (decoded) and `watchLines` (stored bytes), with a label selector that an
        // object starts and stops matching: the same kinds, the same objects, in the same order.
        try await api.bootstrap()
        try await api.create(.configMap, namespace: "default", configMap("a", labels: ["app": "x"]))
        try await api.create(.configMap, namespace: "default", configMap("b", labels: ["app": "y"]))
        let options = ListOptions(labelSelector: try LabelSelector(parsing: "app=x"), sendInitialEvents: true)
        let decoded = try await api.watch(.configMap, namespace: "default", options: options)
        let lines = Mutex<[[UInt8]]>([])
        let ended = Mutex(false)
        let pump = try await api.watchLines(
            .configMap, namespace: "default", options: options, emit: { line, _ in lines.withLock { $0.append(line) } },
            end: { _ in ended.withLock { $0 = true } })
        var b = try await api.get(.configMap, namespace: "default", name: "b")
        b.set(["metadata", "labels", "app"], "x")
        try await api.update(.configMap, namespace: "default", name: "b", b)
        _ = try await api.modify([
            KubeModification(.configMap, namespace: "default", name: "a", change: Self.setting("k", "v"))
        ]).first?.get()
        var moved = try await api.get(.configMap, namespace: "default", name: "a")
        moved.set(["metadata", "labels", "app"], "z")
        try await api.update(.configMap, namespace: "default", name: "a", moved)
        try await api.delete(.configMap, namespace: "default", name: "b")
        var expected: [KubeWatchEvent] = []
        var iterator = decoded.makeAsyncIterator()
        while expected.count < 6, let event = try await iterator.next() { expected.append(event) }
        #expect(expected.map(\.kind) == [.added, .bookmark, .added, .modified, .deleted, .deleted])
        let deadline = ContinuousClock.now + .seconds(30)
        while lines.withLock({ $0.count }) < 6 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let parsed = try lines.withLock { $0 }.map { line in
            #expect(line.last == UInt8(ascii: "\n"))
            return try JSONParser.parse(Array(line.dropLast()))
        }
        #expect(parsed.count == 6)
        for (line, event) in zip(parsed, expected) {
            #expect(line["type"]?.stringValue == event.kind.rawValue)
            #expect(line["object"] == event.object)
        }
        pump.cancel()
        while !ended.withLock({ $0 }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(ended.withLock { $0 })
    }

    @Test func wireWatchFromACompactedVersionSendsAnError() async throws {
        // A store that keeps 2 changes: watching from version 1 after 5 writes ends at once with a 410 ERROR line.
        let api = KubeAPI(
            store: InMemoryStore(historyLimit: 2), clock: ManualClock(), admission: AdmitAll(),
            logger: Logger(label: "test"))
        try await api.bootstrap()
        for name in ["a", "b", "c"] { try await api.create(.configMap, namespace: "default", configMap(name)) }
        let errorLine = Mutex<[UInt8]?>(nil)
        _ = try await api.watchLines(
            .configMap, namespace: "default", options: ListOptions(resourceVersion: "1"), emit: { _, _ in },
            end: { line in errorLine.withLock { $0 = line } })
        let line = try #require(errorLine.withLock { $0 })
        let event = try JSONParser.parse(Array(line.dropLast()))
        #expect(event["type"] == "ERROR")
        #expect(event[path: ["object", "code"]]?.intValue == 410)
    }
}
