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
        let event = Self.eventObject(
            about: object, namespace: namespace, name: name, reason: reason, message: message, type: eventType,
            component: component, now: now)
        do {
            try await create(.event, namespace: namespace, event)
        } catch {
            logger.debug("event not recorded: \(error)")
        }
    }

    /// Many `recordEvent`s at once: repeats raise their Events' counts in one batch of changes, new Events are
    /// created in one batch of creates (a ReplicaSet of 1,000 pods makes 1,000 `Scheduled` events).
    public func recordEvents(_ records: [KubeEventRecord]) async {
        guard !records.isEmpty else { return }
        let now = KubeTime.format(clock.now)
        let named = records.map { record in
            (
                record, namespace: record.object.namespace.isEmpty ? "default" : record.object.namespace,
                name: "\(record.object.name).\(Self.eventSuffix(record.object.uid, record.reason, record.message))"
            )
        }
        let raised = await modify(
            named.map { entry in
                KubeModification(.event, namespace: entry.namespace, name: entry.name) { current throws(KubeError) in
                    var next = current
                    next.set(["count"], .int((current["count"]?.intValue ?? 1) + 1))
                    next.set(["lastTimestamp"], .string(now))
                    return next
                }
            })
        var creates: [(namespace: String, object: JSONValue)] = []
        var seen: Set<String> = []
        for (entry, outcome) in zip(named, raised) {
            guard case .failure(let error) = outcome else { continue }
            guard error.code == 404 else {
                logger.debug("event not recorded: \(error)")
                continue
            }
            // The same new event twice in one batch: created once (the count of a repeat is not raised).
            guard seen.insert("\(entry.namespace)/\(entry.name)").inserted else { continue }
            creates.append(
                (
                    entry.namespace,
                    Self.eventObject(
                        about: entry.0.object, namespace: entry.namespace, name: entry.name, reason: entry.0.reason,
                        message: entry.0.message, type: entry.0.type, component: entry.0.component, now: now)
                ))
        }
        for case .failure(let error) in await create(.event, creates) {
            logger.debug("event not recorded: \(error)")
        }
    }

    /// A new core/v1 Event (count 1).
    static func eventObject(
        about object: JSONValue, namespace: String, name: String, reason: String, message: String, type: String,
        component: String, now: String
    ) -> JSONValue {
        let involved: JSONValue = [
            "kind": .string(object["kind"]?.stringValue ?? ""), "namespace": .string(object.namespace),
            "name": .string(object.name), "uid": .string(object.uid),
            "apiVersion": .string(object["apiVersion"]?.stringValue ?? ""),
            "resourceVersion": .string(object.resourceVersion),
        ]
        return [
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": involved, "reason": .string(reason), "message": .string(message),
            "source": ["component": .string(component)], "firstTimestamp": .string(now), "lastTimestamp": .string(now),
            "count": 1, "type": .string(type), "reportingComponent": .string(component),
            "reportingInstance": .string(component),
        ]
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

/// One Event to record (``KubeAPI/recordEvents(_:)``): about `object`, as `recordEvent` takes it.
public struct KubeEventRecord: Sendable {
    public var object: JSONValue
    public var reason: String
    public var message: String
    public var type: String
    public var component: String

    public init(about object: JSONValue, reason: String, message: String, type: String = "Normal", component: String) {
        self.object = object
        self.reason = reason
        self.message = message
        self.type = type
        self.component = component
    }
}
