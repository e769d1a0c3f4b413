import BoxCore
import BoxKube
import BoxStore
import Logging
import Synchronization

/// A controller manager over an in-memory store with the wall clock, for tests; with `kubelet`, a stand-in for the
/// kubelet marks every pod Running and Ready (after `readyDelay`), as no kubelet runs in tests.
struct ControllerHarness {
    let api = KubeAPI(
        store: InMemoryStore(), clock: SystemClock(), admission: AdmitAll(), logger: Logger(label: "test"))

    /// Runs `body` while the controllers (and the fake kubelet) run; stops them after.
    func run(
        _ controllers: [any Controller], kubelet: Bool = true, readyDelay: Duration = .milliseconds(20),
        _ body: @Sendable (KubeAPI) async throws -> Void
    ) async throws {
        try await api.bootstrap()
        let manager = ControllerManager(
            api: api, controllers: controllers, clock: SystemClock(), logger: Logger(label: "test"))
        let api = self.api
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await manager.run() }
            if kubelet { group.addTask { await Self.fakeKubelet(api, readyDelay: readyDelay) } }
            do {
                try await body(api)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Marks each pod that is not being deleted Running and Ready, `readyDelay` after it appears.
    static func fakeKubelet(_ api: KubeAPI, readyDelay: Duration) async {
        while !Task.isCancelled {
            do {
                let list = try await api.list(.pod, namespace: nil)
                let stream = try await api.watch(
                    .pod, namespace: nil, options: ListOptions(resourceVersion: list.resourceVersion))
                await withDiscardingTaskGroup { group in
                    for pod in list.items { group.addTask { await markReady(pod, api: api, after: readyDelay) } }
                    do {
                        for try await event in stream where event.kind == .added || event.kind == .modified {
                            let pod = event.object
                            group.addTask { await markReady(pod, api: api, after: readyDelay) }
                        }
                    } catch {}
                }
            } catch {}
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    static func markReady(_ pod: JSONValue, api: KubeAPI, after delay: Duration) async {
        guard pod.deletionTimestamp == nil, pod[path: ["status", "phase"]]?.stringValue != "Running" else { return }
        try? await Task.sleep(for: delay)
        var next = pod
        next.set(["status", "phase"], "Running")
        next.set(
            ["status", "conditions"],
            [["type": "Ready", "status": "True", "lastTransitionTime": .string(KubeTime.format(api.clock.now))]])
        _ = try? await api.update(.pod, namespace: pod.namespace, name: pod.name, next, subresource: .status)
    }
}

/// Polls `condition` every 20 ms until it holds; fails after `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(what: what)
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

extension KubeAPI {
    /// The pods in `namespace` (all, including terminating ones).
    func pods(_ namespace: String = "default") async throws -> [JSONValue] {
        try await list(.pod, namespace: namespace).items
    }
}
