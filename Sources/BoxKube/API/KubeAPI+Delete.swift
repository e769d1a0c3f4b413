import BoxCore
import BoxStore

extension KubeAPI {
    /// The namespaces Kubernetes refuses to delete.
    static let undeletableNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    /// Deletes now, or marks the object so that it goes later:
    /// - a pod bound to a node, with a grace period above 0: `deletionTimestamp` = now + grace; the node stops it
    ///   and then deletes it with grace 0;
    /// - an object with finalizers: `deletionTimestamp` once; it goes when an update empties them;
    /// - a namespace: `Terminating`, finalizer `kubernetes`; the namespace controller empties it and removes it;
    /// - Foreground / Orphan propagation: the `foregroundDeletion` / `orphan` finalizer for the garbage collector.
    /// Background (the default) removes the object now; the garbage collector then removes its dependents.
    @discardableResult
    public func delete(
        _ type: ResourceType, namespace: String, name: String, options: DeleteOptions = DeleteOptions()
    ) async throws(KubeError) -> DeleteOutcome {
        if type == .namespace && Self.undeletableNamespaces.contains(name) {
            throw .forbidden(
                "namespaces \"\(name)\" is forbidden: this namespace may not be deleted", type: type, name: name)
        }
        for _ in 0..<20 {
            let stored = try await stored(type, namespace: namespace, name: name)
            var object = try decode(stored, type)
            if let uid = options.preconditionUID, uid != object.uid {
                throw .conflict(
                    type, name,
                    "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object.uid)")
            }
            if let version = options.preconditionResourceVersion, version != object.resourceVersion {
                throw .conflict(
                    type, name,
                    "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(object.resourceVersion)"
                )
            }
            let now = clock.now
            var mark = false
            if type == .namespace {
                if object.deletionTimestamp == nil {
                    object.set(["metadata", "deletionTimestamp"], .string(KubeTime.format(now)))
                    object.set(["spec", "finalizers"], ["kubernetes"])
                    object.set(["status", "phase"], "Terminating")
                    mark = true
                } else {
                    return .pending(object)
                }
            } else if type == .pod, object[path: ["spec", "nodeName"]]?.stringValue != nil,
                !["Succeeded", "Failed"].contains(object[path: ["status", "phase"]]?.stringValue ?? ""),
                (options.gracePeriodSeconds ?? 1) > 0
            {
                let grace =
                    options.gracePeriodSeconds ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue
                    ?? 30
                if object.deletionTimestamp == nil {
                    object.set(["metadata", "deletionTimestamp"], .string(KubeTime.format(now + .seconds(grace))))
                    object.set(["metadata", "deletionGracePeriodSeconds"], .int(grace))
                    mark = true
                }
            }
            switch options.propagationPolicy {
            case .foreground? where !object.finalizers.contains("foregroundDeletion"):
                object.finalizers.append("foregroundDeletion")
                mark = true
            case .orphan? where !object.finalizers.contains("orphan"):
                object.finalizers.append("orphan")
                mark = true
            default: break
            }
            if !object.finalizers.isEmpty && object.deletionTimestamp == nil {
                object.set(["metadata", "deletionTimestamp"], .string(KubeTime.format(now)))
                mark = true
            }
            if options.dryRun { return mark || !object.finalizers.isEmpty ? .pending(object) : .deleted(object) }
            if mark {
                object.set(["metadata", "resourceVersion"], nil)
                do {
                    let written = try await store.update(
                        stored.key, value: Array(object.text.utf8), labels: object.labels,
                        expectedRevision: stored.revision)
                    return .pending(Self.withVersion(object, written.revision))
                } catch .conflict { continue } catch { throw Self.storeFailure(error, type, name) }
            }
            if !object.finalizers.isEmpty
                || (type == .pod && object.isPendingPodDeletion && options.gracePeriodSeconds != 0)
            {
                return .pending(object)
            }
            do {
                let deleted = try await store.delete(stored.key, expectedRevision: stored.revision)
                return .deleted(Self.withVersion(object, deleted.revision))
            } catch .conflict { continue } catch { throw Self.storeFailure(error, type, name) }
        }
        throw .conflict(type, name, "too many concurrent writes")
    }
}

extension KubeAPI {
    /// Removes the object from the store now, whatever its finalizers or grace period: how a node confirms a
    /// gracefully deleted pod has stopped and the namespace controller finishes a namespace. With `uid`, only that
    /// incarnation goes (a newer object of the same name stays). Missing is not an error.
    public func remove(_ type: ResourceType, namespace: String, name: String, uid: String? = nil)
        async throws(KubeError)
    {
        for _ in 0..<20 {
            let stored: StoredObject
            do {
                stored = try await self.stored(type, namespace: namespace, name: name)
            } catch let error where error.code == 404 { return }
            if let uid, try decode(stored, type).uid != uid { return }
            do {
                _ = try await store.delete(stored.key, expectedRevision: stored.revision)
                return
            } catch .notFound { return } catch .conflict { continue } catch {
                throw Self.storeFailure(error, type, name)
            }
        }
        throw .conflict(type, name, "too many concurrent writes")
    }
}
