import BoxCore
import BoxStore

extension KubeAPI {
    /// A watch for the wire, for watches without a field selector: each event as its JSON line
    /// (`{"object":…,"type":…}` and a newline) with the object's stored bytes and its resourceVersion spliced in,
    /// as `listJSON` does, never parsing or encoding the objects. Same events and semantics as `watch` (initial
    /// ADDED events and the WatchList bookmark, selectors on the stored labels, DELETED/ADDED when an object stops
    /// or starts matching, an ERROR line for an expired version).
    ///
    /// Events go to `emit` (with the version each carries), in order, from one task and with no stream in
    /// between, so an event costs one hop from the store's commit to the caller's stream; `end` is called once
    /// when the watch ends (with the ERROR line to send, if any; nil when cancelled or the store's stream ended).
    /// Cancel the returned task to stop it.
    public func watchLines(
        _ type: ResourceType, namespace: String?, options: ListOptions = ListOptions(),
        emit: @escaping @Sendable (_ line: [UInt8], _ resourceVersion: String) -> Void,
        end: @escaping @Sendable (_ errorLine: [UInt8]?) -> Void
    ) async throws(KubeError) -> Task<Void, Never> {
        precondition(options.fieldSelector.isEverything, "watchLines cannot apply a field selector")
        let namespace = type.namespaced ? namespace : nil
        var initial: [(line: [UInt8], version: String)] = []
        var matching: Set<String> = []
        var after: Int64
        let startVersion = options.resourceVersion ?? ""
        let knowsInitialState = options.sendInitialEvents || startVersion.isEmpty || startVersion == "0"
        if knowsInitialState {
            let listed: (objects: [StoredObject], revision: Int64)
            do {
                listed = try await store.list(
                    kind: type.storeKind, namespace: namespace, namePrefix: "", selector: options.labelSelector)
            } catch { throw Self.storeFailure(error, type, "") }
            for object in listed.objects {
                guard let line = Self.eventLine(.added, object) else {
                    throw .internalError("stored object \(object.key) is not a JSON object")
                }
                initial.append((line, String(object.revision)))
                matching.insert("\(object.key.namespace)/\(object.key.name)")
            }
            after = listed.revision
            if options.sendInitialEvents {
                let bookmark = KubeWatchEvent(
                    kind: .bookmark,
                    object: [
                        "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                        "metadata": [
                            "resourceVersion": .string(String(listed.revision)),
                            "annotations": ["k8s.io/initial-events-end": "true"],
                        ],
                    ])
                initial.append((Array((bookmark.json.text + "\n").utf8), String(listed.revision)))
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
            end(Self.errorLine(error))
            return Task {}
        } catch { throw Self.storeFailure(error, type, "") }
        let selector = options.labelSelector
        return Task { [initial, matching] in
            for (line, version) in initial { emit(line, version) }
            var matching = matching
            do {
                for try await change in changes {
                    let id = "\(change.object.key.namespace)/\(change.object.key.name)"
                    let matches = selector.matches(change.object.labels)
                    var kind: KubeWatchEvent.Kind?
                    switch change.type {
                    case .deleted:
                        if matches || matching.contains(id) { kind = .deleted }
                        matching.remove(id)
                    case .added:
                        if matches {
                            matching.insert(id)
                            kind = .added
                        }
                    case .modified:
                        if matches {
                            // Known to match before, or started from a version (the state then is unknown): MODIFIED.
                            let known = !matching.insert(id).inserted || !knowsInitialState
                            kind = known ? .modified : .added
                        } else if matching.remove(id) != nil {
                            kind = .deleted
                        }
                    }
                    guard let kind, let line = Self.eventLine(kind, change.object) else { continue }
                    emit(line, String(change.object.revision))
                }
                end(nil)
            } catch let error as StoreError {
                if case .compacted(let requested, let oldest) = error {
                    end(Self.errorLine(.expired("too old resource version: \(requested) (\(oldest))")))
                } else {
                    end(Task.isCancelled ? nil : Self.errorLine(.internalError("\(error)")))
                }
            } catch {
                end(Task.isCancelled ? nil : Self.errorLine(.internalError("\(error)")))
            }
        }
    }

    /// `{"object":<stored bytes with resourceVersion>,"type":"KIND"}` and a newline (keys sorted, as
    /// `KubeWatchEvent.json.text` writes them); nil when the stored value is not a JSON object.
    static func eventLine(_ kind: KubeWatchEvent.Kind, _ object: StoredObject) -> [UInt8]? {
        guard let json = StoredJSON.withResourceVersion(object.value, object.revision) else { return nil }
        var line: [UInt8] = []
        line.reserveCapacity(json.count + 32)
        line += "{\"object\":".utf8
        line += json
        line += ",\"type\":\"".utf8
        line += kind.rawValue.utf8
        line += "\"}\n".utf8
        return line
    }

    /// An ERROR event line carrying `error`'s Status.
    public static func errorLine(_ error: KubeError) -> [UInt8] {
        Array((KubeWatchEvent(kind: .error, object: error.status).json.text + "\n").utf8)
    }
}
