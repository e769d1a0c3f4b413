import BoxCore
import BoxStore

extension KubeAPI {
    /// Changes to objects of `type` in `namespace` (all when nil) that match the selectors:
    /// - no `resourceVersion` (or `"0"`), or `sendInitialEvents`: an ADDED event for every current match first; with
    ///   `sendInitialEvents`, then a BOOKMARK annotated `k8s.io/initial-events-end: "true"` (WatchList);
    /// - `resourceVersion=N`: only changes after N; when N is older than the store keeps, one ERROR event with a 410
    ///   Expired Status, and the stream ends (as upstream: HTTP 200 and the ERROR event).
    /// An object that stops matching a selector is sent as DELETED, one that starts matching as ADDED.
    public func watch(_ type: ResourceType, namespace: String?, options: ListOptions = ListOptions())
        async throws(KubeError) -> AsyncThrowingStream<KubeWatchEvent, any Error>
    {
        let namespace = type.namespaced ? namespace : nil
        var initial: [KubeWatchEvent] = []
        var after: Int64
        var matching: Set<String> = []
        let startVersion = options.resourceVersion ?? ""
        let knowsInitialState = options.sendInitialEvents || startVersion.isEmpty || startVersion == "0"
        if knowsInitialState {
            var listOptions = options
            listOptions.limit = nil
            listOptions.continueToken = nil
            let list = try await list(type, namespace: namespace, options: listOptions)
            initial = list.items.map { KubeWatchEvent(kind: .added, object: $0) }
            matching = Set(list.items.map { "\($0.namespace)/\($0.name)" })
            after = Int64(list.resourceVersion) ?? 0
            if options.sendInitialEvents {
                initial.append(
                    KubeWatchEvent(
                        kind: .bookmark,
                        object: [
                            "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                            "metadata": [
                                "resourceVersion": .string(list.resourceVersion),
                                "annotations": ["k8s.io/initial-events-end": "true"],
                            ],
                        ]))
            }
        } else {
            guard let version = Int64(startVersion) else {
                throw .badRequest("invalid resourceVersion \"\(startVersion)\": not a number")
            }
            after = version
        }
        let changes: AsyncThrowingStream<BoxStore.WatchEvent, any Error>
        do {
            changes = try await store.watch(kind: type.storeKind, namespace: namespace, afterRevision: after)
        } catch .compacted(let requested, let oldest) {
            let error = KubeError.expired("too old resource version: \(requested) (\(oldest))")
            return AsyncThrowingStream { continuation in
                continuation.yield(KubeWatchEvent(kind: .error, object: error.status))
                continuation.finish()
            }
        } catch { throw Self.storeFailure(error, type, "") }
        let api = self
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: KubeWatchEvent.self, throwing: (any Error).self)
        let pump = Task {
            for event in initial { continuation.yield(event) }
            var matching = matching
            do {
                for try await change in changes {
                    let object: JSONValue
                    do { object = try api.decode(change.object, type) } catch { continue }
                    let id = "\(object.namespace)/\(object.name)"
                    let matches =
                        options.labelSelector.matches(object.labels) && options.fieldSelector.matches(object)
                    switch change.type {
                    case .deleted:
                        if matches || matching.contains(id) {
                            continuation.yield(KubeWatchEvent(kind: .deleted, object: object))
                        }
                        matching.remove(id)
                    case .added:
                        if matches {
                            matching.insert(id)
                            continuation.yield(KubeWatchEvent(kind: .added, object: object))
                        }
                    case .modified:
                        if matches {
                            // Known to match before, or started from a version (the state then is unknown): MODIFIED.
                            let known = !matching.insert(id).inserted || !knowsInitialState
                            continuation.yield(KubeWatchEvent(kind: known ? .modified : .added, object: object))
                        } else if matching.remove(id) != nil {
                            continuation.yield(KubeWatchEvent(kind: .deleted, object: object))
                        }
                    }
                }
                continuation.finish()
            } catch let error as StoreError {
                if case .compacted(let requested, let oldest) = error {
                    let expired = KubeError.expired("too old resource version: \(requested) (\(oldest))")
                    continuation.yield(KubeWatchEvent(kind: .error, object: expired.status))
                    continuation.finish()
                } else {
                    continuation.finish(throwing: error)
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }
}
