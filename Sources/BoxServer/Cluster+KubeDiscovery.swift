import BoxCore
public import BoxDiscovery
public import BoxKube
public import Logging

/// Feeding service discovery from the Kubernetes API: Services and Endpoints, list-watched like an informer.
///
///     list (all namespaces) ─▶ submit every object, delete what vanished since the last list
///        └▶ watch from the list's resourceVersion ─▶ ADDED/MODIFIED: submit, DELETED: delete
///              └ ERROR (410 Expired) or stream end or failure ─▶ list again (after a second on failure)
///
/// Each list is level-triggered: the registry gets the current objects whatever events were missed.
extension Cluster {
    /// Runs until cancelled. With an `allocator`, the cluster IPs of listed Services are claimed (so addresses
    /// given before a restart are not handed out again) and those of deleted Services released.
    public static func feedKubeDiscovery(
        api: KubeAPI, discovery: DiscoveryService, allocator: ServiceIPAllocator? = nil, logger: Logger
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await followKube(.service, api: api, logger: logger) { event in
                    switch event {
                    case .present(let object):
                        guard let service = kubeService(object) else { return }
                        if let allocator, let clusterIP = service.clusterIP {
                            allocator.claim(
                                namespace: service.key.namespace, name: service.key.name, address: "\(clusterIP)")
                        }
                        discovery.submit(.kubeService(service))
                    case .gone(let key):
                        allocator?.release(namespace: key.namespace, name: key.name)
                        discovery.submit(.kubeServiceDeleted(key))
                    }
                }
            }
            group.addTask {
                await followKube(.endpoints, api: api, logger: logger) { event in
                    switch event {
                    case .present(let object):
                        discovery.submit(.kubeEndpoints(kubeEndpoints(object)))
                    case .gone(let key):
                        discovery.submit(.kubeEndpointsDeleted(key))
                    }
                }
            }
        }
    }

    /// What a list or watch says of one object.
    enum KubeFeedEvent {
        case present(JSONValue)
        case gone(KubeServiceKey)
    }

    /// List, then watch from the list's version, until cancelled; `deliver` runs in order, on this task.
    static func followKube(
        _ type: ResourceType, api: KubeAPI, logger: Logger, deliver: (KubeFeedEvent) -> Void
    ) async {
        var known: Set<KubeServiceKey> = []
        while !Task.isCancelled {
            do {
                let list = try await api.list(type, namespace: nil)
                let listed = Set(list.items.map(key(of:)))
                for object in list.items { deliver(.present(object)) }
                for key in known.subtracting(listed).sorted() { deliver(.gone(key)) }
                known = listed
                var options = ListOptions()
                options.resourceVersion = list.resourceVersion
                let events = try await api.watch(type, namespace: nil, options: options)
                watching: for try await event in events {
                    switch event.kind {
                    case .added, .modified:
                        known.insert(key(of: event.object))
                        deliver(.present(event.object))
                    case .deleted:
                        known.remove(key(of: event.object))
                        deliver(.gone(key(of: event.object)))
                    case .bookmark:
                        continue
                    case .error:
                        logger.debug("discovery watch expired, listing again", metadata: ["kube.type": "\(type)"])
                        break watching
                    }
                }
                try? await Task.sleep(for: .milliseconds(100))  // an ended stream must not make a busy loop
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning(
                    "discovery list/watch failed, retrying", metadata: ["kube.type": "\(type)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    static func key(of object: JSONValue) -> KubeServiceKey {
        KubeServiceKey(namespace: object.namespace, name: object.name)
    }

    /// The registry's view of a Service object; nil when it has no name. Unknown types count as ClusterIP, an
    /// empty or "None" `spec.clusterIP` (or one that is not IPv4) as headless; ports out of range are skipped.
    static func kubeService(_ object: JSONValue) -> KubeService? {
        let serviceKey = key(of: object)
        guard !serviceKey.name.isEmpty else { return nil }
        let spec = object["spec"] ?? .object([:])
        let type = spec["type"]?.stringValue.flatMap(KubeServiceType.init(rawValue:)) ?? .clusterIP
        let clusterIP = spec["clusterIP"]?.stringValue.flatMap(IPv4Octets.init)
        let ports = (spec["ports"]?.arrayValue ?? []).compactMap { port -> KubeServicePort? in
            guard let number = port["port"]?.intValue.flatMap(UInt16.init(exactly:)), number > 0 else { return nil }
            return KubeServicePort(
                name: port["name"]?.stringValue, port: number, protocol: port["protocol"]?.stringValue ?? "TCP",
                nodePort: port["nodePort"]?.intValue.flatMap(UInt16.init(exactly:)))
        }
        return KubeService(
            key: serviceKey, type: type, clusterIP: type == .externalName ? nil : clusterIP, ports: ports,
            externalName: spec["externalName"]?.stringValue)
    }

    /// The registry's view of an Endpoints object: ready addresses (IPv4) and ports of each subset.
    static func kubeEndpoints(_ object: JSONValue) -> KubeEndpoints {
        let subsets = (object["subsets"]?.arrayValue ?? []).map { subset in
            KubeEndpointSubset(
                addresses: (subset["addresses"]?.arrayValue ?? []).compactMap { address in
                    guard let ip = address["ip"]?.stringValue.flatMap(IPv4Octets.init) else { return nil }
                    return KubeEndpointAddress(
                        ip: ip, hostname: address["hostname"]?.stringValue,
                        podName: address[path: ["targetRef", "name"]]?.stringValue,
                        nodeName: address["nodeName"]?.stringValue)
                },
                ports: (subset["ports"]?.arrayValue ?? []).compactMap { port in
                    guard let number = port["port"]?.intValue.flatMap(UInt16.init(exactly:)), number > 0 else {
                        return nil
                    }
                    return KubeEndpointPort(
                        name: port["name"]?.stringValue, port: number,
                        protocol: port["protocol"]?.stringValue ?? "TCP")
                })
        }
        return KubeEndpoints(key: key(of: object), subsets: subsets)
    }
}
