public import BoxCore

/// Keeps the EndpointSlices (discovery.k8s.io/v1, IPv4) of each Service with a selector: one slice per distinct
/// port list of the matching pods, named `<service>-<5 random>`, labelled `kubernetes.io/service-name` and
/// `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, owned by the Service. Unlike
/// Endpoints, terminating pods stay listed with `terminating: true`, `ready: false` and `serving` their readiness.
/// A Service with no backends keeps one empty slice, as upstream. A slice holds at most 100 endpoints
/// (`--max-endpoints-per-slice`' default): an endpoint stays in the slice that has it, new ones fill slices with room
/// before a new slice is made, so a change rewrites few slices. Not done: mirroring the Endpoints of selector-less
/// Services.
public struct EndpointSliceController: Controller {
    public let name = "endpointslice-controller"
    public var watches: [ResourceType] { [.service, .pod, .endpointSlice] }
    public var resync: (type: ResourceType, interval: Duration)? { (.service, .seconds(30)) }

    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managedBy = "endpointslice-controller.k8s.io"
    static let maxEndpointsPerSlice = 100

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
                // The slices already carrying these ports keep their endpoints, so a change rewrites the fewest.
                let matching = unused.filter { $0["ports"] == ports }
                unused.removeAll { $0["ports"] == ports }
                let chunks = Self.pack(
                    group.backends, existing: matching.map(Self.podNames), limit: Self.maxEndpointsPerSlice)
                let allEmpty = chunks.allSatisfy(\.isEmpty)
                for (index, chunk) in chunks.enumerated() {
                    var current: JSONValue?
                    if index < matching.count {
                        // An emptied slice goes, unless it is the one slice an endpoint-less Service keeps.
                        guard !chunk.isEmpty || (allEmpty && index == 0) else {
                            unused.append(matching[index])
                            continue
                        }
                        current = matching[index]
                    } else if !unused.isEmpty {
                        current = unused.removeFirst()  // a slice of a port list no longer used
                    }
                    let desired = slice(from: current, service: service, ports: ports, backends: chunk)
                    if let current {
                        if current != desired { try await context.update(.endpointSlice, desired) }
                    } else {
                        try await context.create(.endpointSlice, namespace: key.namespace, desired)
                    }
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

    /// The backends per slice: `result[i]` for the slice that held the pods `existing[i]`, then new slices. Each
    /// backend stays where it was; the others fill slices with room, in order, then new slices of `limit`. Always
    /// at least one (possibly empty) entry.
    static func pack(_ backends: [ServiceBackend], existing: [Set<String>], limit: Int) -> [[ServiceBackend]] {
        var chunks = existing.map { _ in [ServiceBackend]() }
        var rest: [ServiceBackend] = []
        for backend in backends {
            let name = backend.pod.name
            if let index = existing.indices.first(where: { existing[$0].contains(name) && chunks[$0].count < limit }) {
                chunks[index].append(backend)
            } else {
                rest.append(backend)
            }
        }
        for index in chunks.indices where !rest.isEmpty && chunks[index].count < limit {
            let room = limit - chunks[index].count
            chunks[index] += rest.prefix(room)
            rest.removeFirst(min(room, rest.count))
        }
        while !rest.isEmpty {
            chunks.append(Array(rest.prefix(limit)))
            rest.removeFirst(min(limit, rest.count))
        }
        return chunks.isEmpty ? [[]] : chunks
    }

    /// The pods a slice lists, by its endpoints' `targetRef.name`.
    static func podNames(_ slice: JSONValue) -> Set<String> {
        Set((slice["endpoints"]?.arrayValue ?? []).compactMap { $0[path: ["targetRef", "name"]]?.stringValue })
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
