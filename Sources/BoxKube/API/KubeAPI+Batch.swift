public import BoxCore
import BoxStore

/// What `modify` does with a stored object (``KubeAPI/prepareModify(_:_:name:precondition:statusOnly:_:)``).
enum ModifyStep: Sendable {
    /// The change changes nothing: the current object.
    case unchanged(JSONValue)
    /// This store write (compare-and-swap on the stored revision), storing this object.
    case write(StoreWrite, JSONValue)
}

/// One change of a batch (``KubeAPI/modify(_:)``): as `modify` with no precondition, not a dry run.
public struct KubeModification: Sendable {
    public var type: ResourceType
    public var namespace: String
    public var name: String
    public var statusOnly: Bool
    public var change: @Sendable (JSONValue) throws(KubeError) -> JSONValue

    public init(
        _ type: ResourceType, namespace: String, name: String, statusOnly: Bool = false,
        change: @escaping @Sendable (JSONValue) throws(KubeError) -> JSONValue
    ) {
        self.type = type
        self.namespace = namespace
        self.name = name
        self.statusOnly = statusOnly
        self.change = change
    }
}

extension KubeAPI {
    /// The most writes per store transaction: a batch holds the store's single writer for its whole commit, and
    /// a watch event of another write waits that long.
    static let batchLimit = 64

    /// Many `modify`s at once, each with the semantics of a single one: the objects are read in one store read
    /// and written in one store transaction per `batchLimit` changes, instead of a read and a commit each. A
    /// change whose write lost a race with another writer is done again alone (reading the object again). The
    /// results are in the order of `batch`.
    public func modify(_ batch: [KubeModification]) async -> [Result<JSONValue, KubeError>] {
        var results: [Result<JSONValue, KubeError>] = []
        results.reserveCapacity(batch.count)
        var start = 0
        while start < batch.count {
            let chunk = batch[start..<min(start + Self.batchLimit, batch.count)]
            results += await modifyChunk(chunk)
            start += Self.batchLimit
        }
        return results
    }

    private func modifyChunk(_ chunk: ArraySlice<KubeModification>) async -> [Result<JSONValue, KubeError>] {
        let keys = chunk.map { change in
            ObjectKey(
                kind: change.type.storeKind, namespace: change.type.namespaced ? change.namespace : "",
                name: change.name)
        }
        var results = [Result<JSONValue, KubeError>](
            repeating: .failure(.internalError("not written")), count: chunk.count)
        let read: [Result<StoredObject, StoreError>]
        do {
            read = try await store.get(keys)
        } catch {
            return chunk.map { .failure(Self.storeFailure(error, $0.type, $0.name)) }
        }
        var writes: [StoreWrite] = []
        var written: [(position: Int, object: JSONValue)] = []
        for (position, change) in chunk.enumerated() {
            switch read[position] {
            case .failure(.notFound), .failure(.invalidKey):
                results[position] = .failure(.notFound(change.type, change.name))
            case .failure(let error):
                results[position] = .failure(Self.storeFailure(error, change.type, change.name))
            case .success(let stored):
                do throws(KubeError) {
                    switch try prepareModify(
                        stored, change.type, name: change.name, precondition: "", statusOnly: change.statusOnly,
                        change.change)
                    {
                    case .unchanged(let current): results[position] = .success(current)
                    case .write(let write, let object):
                        writes.append(write)
                        written.append((position, object))
                    }
                } catch { results[position] = .failure(error) }
            }
        }
        guard !writes.isEmpty else { return results }
        let outcomes: [Result<StoredObject, StoreError>]
        do {
            outcomes = try await store.write(writes)
        } catch {
            for (position, _) in written {
                let change = chunk[chunk.startIndex + position]
                results[position] = .failure(Self.storeFailure(error, change.type, change.name))
            }
            return results
        }
        for ((position, object), outcome) in zip(written, outcomes) {
            let change = chunk[chunk.startIndex + position]
            switch outcome {
            case .success(let stored):
                results[position] = .success(Self.withVersion(object, stored.revision))
            case .failure(.conflict):
                // Another write came between the read and the batch: this one again, alone, as `modify` retries.
                do throws(KubeError) {
                    results[position] = .success(
                        try await modify(
                            change.type, namespace: change.namespace, name: change.name, precondition: "",
                            dryRun: false, statusOnly: change.statusOnly, change.change))
                } catch { results[position] = .failure(error) }
            case .failure(let error):
                results[position] = .failure(Self.storeFailure(error, change.type, change.name))
            }
        }
        return results
    }

    /// Many `create`s of `type` (each `(namespace, object)`) with the semantics of single ones, written in one
    /// store transaction per `batchLimit` objects; each namespace is checked once. The results are in order.
    public func create(_ type: ResourceType, _ batch: [(namespace: String, object: JSONValue)]) async
        -> [Result<JSONValue, KubeError>]
    {
        var results: [Result<JSONValue, KubeError>] = []
        results.reserveCapacity(batch.count)
        var namespaces: [String: KubeError?] = [:]
        var start = 0
        while start < batch.count {
            let chunk = batch[start..<min(start + Self.batchLimit, batch.count)]
            var prepared: [Result<JSONValue, KubeError>] = []
            for (namespace, object) in chunk {
                do throws(KubeError) {
                    try checkTypeMeta(object, type)
                    if type.namespaced {
                        try Self.checkNamespaceMatches(object, namespace)
                        if namespaces[namespace] == nil {
                            do throws(KubeError) {
                                try await checkNamespaceAcceptsCreates(namespace, type: type)
                                namespaces[namespace] = .some(nil)
                            } catch { namespaces[namespace] = .some(error) }
                        }
                        if let failure = namespaces[namespace] ?? nil { throw failure }
                    }
                    prepared.append(.success(try prepareCreate(type, namespace: namespace, object)))
                } catch { prepared.append(.failure(error)) }
            }
            var writes: [StoreWrite] = []
            for (index, entry) in prepared.enumerated() {
                guard case .success(let object) = entry else { continue }
                let namespace = chunk[chunk.startIndex + index].namespace
                let key = ObjectKey(
                    kind: type.storeKind, namespace: type.namespaced ? namespace : "", name: object.name)
                writes.append(.create(key, value: Array(object.text.utf8), labels: object.labels))
            }
            var outcomes: [Result<StoredObject, StoreError>] = []
            var failure: StoreError?
            if !writes.isEmpty {
                do { outcomes = try await store.write(writes) } catch { failure = error }
            }
            var next = 0
            for entry in prepared {
                guard case .success(let object) = entry else {
                    results.append(entry)
                    continue
                }
                if let failure {
                    results.append(.failure(Self.storeFailure(failure, type, object.name)))
                } else {
                    switch outcomes[next] {
                    case .success(let stored): results.append(.success(Self.withVersion(object, stored.revision)))
                    case .failure(let error): results.append(.failure(Self.storeFailure(error, type, object.name)))
                    }
                }
                next += 1
            }
            start += Self.batchLimit
        }
        return results
    }
}
