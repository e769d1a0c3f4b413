public import BoxCore

extension KubeAPI {
    /// Records a core/v1 Event about `object` (as `kubectl describe` and `get events` show them). A repeat of the
    /// same reason and message for the same object raises `count` and `lastTimestamp` instead of adding one.
    public func recordEvent(
        about object: JSONValue, reason: String, message: String, type eventType: String = "Normal",
        component: String
    ) async {
        let namespace = object.namespace.isEmpty ? "default" : object.namespace
        let name = "\(object.name).\(Self.eventSuffix(object.uid, reason, message))"
        let now = KubeTime.format(clock.now)
        do {
            _ = try await modify(.event, namespace: namespace, name: name, precondition: "", dryRun: false) {
                current throws(KubeError) in
                var next = current
                next.set(["count"], .int((current["count"]?.intValue ?? 1) + 1))
                next.set(["lastTimestamp"], .string(now))
                return next
            }
            return
        } catch let error where error.code == 404 {
        } catch {
            logger.debug("event not recorded: \(error)")
            return
        }
        let involved: JSONValue = [
            "kind": .string(object["kind"]?.stringValue ?? ""), "namespace": .string(object.namespace),
            "name": .string(object.name), "uid": .string(object.uid),
            "apiVersion": .string(object["apiVersion"]?.stringValue ?? ""),
            "resourceVersion": .string(object.resourceVersion),
        ]
        let event: JSONValue = [
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": involved, "reason": .string(reason), "message": .string(message),
            "source": ["component": .string(component)], "firstTimestamp": .string(now), "lastTimestamp": .string(now),
            "count": 1, "type": .string(eventType), "reportingComponent": .string(component),
            "reportingInstance": .string(component),
        ]
        do {
            try await create(.event, namespace: namespace, event)
        } catch {
            logger.debug("event not recorded: \(error)")
        }
    }

    /// A stable hex suffix from the event's identity (FNV-1a), so repeats find the same Event.
    static func eventSuffix(_ parts: String...) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 0xff
        }
        return String(hash, radix: 16)
    }

    /// The objects every cluster starts with: namespaces `default`, `kube-system`, `kube-public` and
    /// `kube-node-lease` (labelled `kubernetes.io/metadata.name`). Safe to call on every start.
    public func bootstrap() async throws(KubeError) {
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let namespace: JSONValue = [
                "metadata": ["name": .string(name), "labels": ["kubernetes.io/metadata.name": .string(name)]],
                "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
            ]
            do {
                try await create(.namespace, namespace: "", namespace)
            } catch let error where error.reason == "AlreadyExists" {}
        }
    }
}
