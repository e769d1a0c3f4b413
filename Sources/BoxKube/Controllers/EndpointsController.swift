public import BoxCore

/// Keeps the Endpoints of each Service with a selector (same name and namespace): the matching pods with an IP,
/// ready ones in `addresses`, the others in `notReadyAddresses`, terminating and finished pods left out; pods with
/// the same resolved ports share a subset (see `ServiceBackend` for ports). Services without a selector keep the
/// Endpoints their users write. A deleted Service's Endpoints go with it (when this controller wrote them).
public struct EndpointsController: Controller {
    public let name = "endpoint-controller"
    public var watches: [ResourceType] { [.service, .pod, .endpoints] }
    /// Pods whose labels changed away from a Service wake nothing (the old labels are gone); a resync catches them.
    public var resync: (type: ResourceType, interval: Duration)? { (.service, .seconds(30)) }

    /// The label marking Endpoints this controller wrote: only those go when no Service has their name (Endpoints
    /// written by hand before their selector-less Service stay).
    static let managedBy = "endpoints.kubernetes.io/managed-by"

    public init() {}

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        switch type {
        case .pod: EndpointsController.services(selecting: object, cache: cache)
        default: [ObjectName(of: object)]
        }
    }

    /// The Services of the pod's namespace whose selector matches its labels.
    static func services(selecting pod: JSONValue, cache: ObjectCache) -> [ObjectName] {
        cache.list(.service, namespace: pod.namespace).filter { service in
            guard let selector = service[path: ["spec", "selector"]]?.stringMap, !selector.isEmpty else {
                return false
            }
            return LabelSelector(matchLabels: selector).matches(pod.labels)
        }.map(ObjectName.init(of:))
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        let held = context.cache.get(.endpoints, key)
        do throws(KubeError) {
            guard let service = context.cache.get(.service, key), service.deletionTimestamp == nil else {
                if let held, context.cache.get(.service, key) == nil,
                    held.labels[Self.managedBy] == "endpoint-controller"
                {
                    do { try await context.delete(.endpoints, held) } catch let error where error.code == 404 {}
                }
                return .done
            }
            guard
                let backends = ServiceBackend.of(service, pods: context.cache.list(.pod, namespace: key.namespace))
            else { return .done }
            let subsets = Self.subsets(backends.filter { !$0.terminating })
            var desired = held ?? ["apiVersion": "v1", "kind": "Endpoints"]
            desired.set(["metadata", "name"], .string(key.name))
            desired.set(["metadata", "namespace"], .string(key.namespace))
            var labels = service.labels
            labels[Self.managedBy] = "endpoint-controller"
            desired.labels = labels
            desired.set(["subsets"], subsets.isEmpty ? nil : .array(subsets))
            if let held {
                if held != desired { try await context.update(.endpoints, desired) }
            } else {
                try await context.create(.endpoints, namespace: key.namespace, desired)
            }
            return .done
        } catch {
            return .requeue(after: .seconds(1))
        }
    }

    /// `subsets[]`: one per distinct port list, `addresses` and `notReadyAddresses` sorted by pod name.
    static func subsets(_ backends: [ServiceBackend]) -> [JSONValue] {
        backends.groupedByPorts.map { group in
            func addresses(_ ready: Bool) -> JSONValue {
                .array(
                    group.backends.filter { $0.ready == ready }.map { backend in
                        var address: JSONValue = ["ip": .string(backend.ip), "targetRef": backend.targetRef]
                        if let node = backend.nodeName { address.set(["nodeName"], .string(node)) }
                        return address
                    })
            }
            var subset: JSONValue = .object([:])
            if case .array(let ready) = addresses(true), !ready.isEmpty { subset.set(["addresses"], .array(ready)) }
            if case .array(let notReady) = addresses(false), !notReady.isEmpty {
                subset.set(["notReadyAddresses"], .array(notReady))
            }
            if !group.ports.isEmpty {
                subset.set(
                    ["ports"],
                    .array(
                        group.ports.map { port in
                            var json: JSONValue = ["port": .int(port.port), "protocol": .string(port.proto)]
                            if !port.name.isEmpty { json.set(["name"], .string(port.name)) }
                            return json
                        }))
            }
            return subset
        }
    }
}
