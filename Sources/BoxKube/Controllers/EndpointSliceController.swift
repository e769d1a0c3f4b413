public import BoxCore

/// Keeps the EndpointSlices (discovery.k8s.io/v1, IPv4) of each Service with a selector: one slice per distinct
/// port list of the matching pods, named `<service>-<5 random>`, labelled `kubernetes.io/service-name` and
/// `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, owned by the Service. Unlike
/// Endpoints, terminating pods stay listed with `terminating: true`, `ready: false` and `serving` their readiness.
/// A Service with no backends keeps one empty slice, as upstream. Not done: the 100-endpoints-per-slice split and
/// mirroring the Endpoints of selector-less Services.
public struct EndpointSliceController: Controller {
    public let name = "endpointslice-controller"
    public var watches: [ResourceType] { [.service, .pod, .endpointSlice] }
    public var resync: (type: ResourceType, interval: Duration)? { (.service, .seconds(30)) }

    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managedBy = "endpointslice-controller.k8s.io"

    public init() {}

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        switch type {
        case .pod: return EndpointsController.services(selecting: object, cache: cache)
        case .endpointSlice:
            guard let service = object.labels[Self.serviceNameLabel],
                object.labels[Self.managedByLabel] == Self.managedBy
            else { return [] }
            return [ObjectName(namespace: object.namespace, name: service)]
        default: return [ObjectName(of: object)]
        }
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        let held = context.cache.list(
            .endpointSlice, namespace: key.namespace,
            selector: LabelSelector(matchLabels: [Self.serviceNameLabel: key.name, Self.managedByLabel: Self.managedBy])
        )
        do throws(KubeError) {
            guard let service = context.cache.get(.service, key), service.deletionTimestamp == nil else {
                for slice in held {
                    do { try await context.delete(.endpointSlice, slice) } catch let error where error.code == 404 {}
                }
                return .done
            }
            guard
                let backends = ServiceBackend.of(service, pods: context.cache.list(.pod, namespace: key.namespace))
            else { return .done }
            var groups = backends.groupedByPorts
            if groups.isEmpty { groups = [(ports: [], backends: [])] }
            // Slices of other Service incarnations (same name, older uid) are replaced.
            var unused = held.filter { $0.controllerReference?.uid == service.uid }
            for slice in held where slice.controllerReference?.uid != service.uid {
                do { try await context.delete(.endpointSlice, slice) } catch let error where error.code == 404 {}
            }
            for group in groups {
                let ports = Self.ports(group.ports)
                // Prefer the slice already carrying these ports, so that a change rewrites the fewest slices.
                let index = unused.firstIndex { $0["ports"] == ports } ?? unused.indices.first
                let current = index.map { unused.remove(at: $0) }
                let desired = slice(from: current, service: service, ports: ports, backends: group.backends)
                if let current {
                    if current != desired { try await context.update(.endpointSlice, desired) }
                } else {
                    try await context.create(.endpointSlice, namespace: key.namespace, desired)
                }
            }
            for slice in unused {
                do { try await context.delete(.endpointSlice, slice) } catch let error where error.code == 404 {}
            }
            return .done
        } catch {
            return .requeue(after: .seconds(1))
        }
    }

    /// `ports[]`; `name` is always present ("" when the Service port has none): `kubectl describe` needs it.
    static func ports(_ ports: [ServiceBackend.Port]) -> JSONValue {
        .array(
            ports.map { ["name": .string($0.name), "port": .int($0.port), "protocol": .string($0.proto)] })
    }

    func slice(from current: JSONValue?, service: JSONValue, ports: JSONValue, backends: [ServiceBackend])
        -> JSONValue
    {
        var slice = current ?? ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice"]
        if current == nil { slice.set(["metadata", "generateName"], .string(service.name + "-")) }
        slice.set(["metadata", "namespace"], .string(service.namespace))
        var labels = service.labels
        labels[Self.serviceNameLabel] = service.name
        labels[Self.managedByLabel] = Self.managedBy
        slice.labels = labels
        slice.ownerReferences = [OwnerReference(controllerOf: service, type: .service)]
        slice.set(["addressType"], "IPv4")
        slice.set(["ports"], ports)
        slice.set(
            ["endpoints"],
            .array(
                backends.map { backend in
                    var endpoint: JSONValue = [
                        "addresses": [.string(backend.ip)],
                        "conditions": [
                            "ready": .bool(backend.ready && !backend.terminating), "serving": .bool(backend.ready),
                            "terminating": .bool(backend.terminating),
                        ],
                        "targetRef": backend.targetRef,
                    ]
                    if let node = backend.nodeName { endpoint.set(["nodeName"], .string(node)) }
                    return endpoint
                }))
        return slice
    }
}
