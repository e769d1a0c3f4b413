public import BoxCore

/// The defaults and validation Kubernetes applies to the served kinds: fill in what clients and printers read
/// (`restartPolicy`, `strategy`, `clusterIP`, …), keep immutable fields on update, then reject the object with a
/// 422 Invalid that lists every field error.
///
/// Stateless: the one resource it hands out, a Service's ClusterIP, comes from `serviceIPs`, and the wiring that
/// owns that allocator also releases the address (when the Service is deleted, or when a create fails after
/// admission: a name conflict, a dry run).
public struct DefaultAdmission: Admission {
    /// Allocates a ClusterIP for the Service `namespace/name`; nil when the range is exhausted.
    public let serviceIPs: @Sendable (_ namespace: String, _ name: String) -> String?

    public init(serviceIPs: @escaping @Sendable (_ namespace: String, _ name: String) -> String?) {
        self.serviceIPs = serviceIPs
    }

    public func admit(
        _ object: JSONValue, old: JSONValue?, type: ResourceType, statusOnly: Bool
    ) throws(KubeError) -> JSONValue {
        var object = object
        applyDefaults(&object, old: old, type: type)
        if statusOnly { return object }
        var causes = MetadataValidation.metadataCauses(
            object, dnsLabelName: type == .namespace || type == .service)
        causes += validate(object, type: type)
        if let old { causes += Self.immutabilityCauses(object, old: old, type: type) }
        if !causes.isEmpty { throw .invalid(type, object.name, causes) }
        if type == .service { try allocateClusterIP(&object, old: old) }
        return object
    }

    /// The defaults of each kind (idempotent: defaulting a defaulted object changes nothing, so no-op writes stay
    /// no-ops).
    func applyDefaults(_ object: inout JSONValue, old: JSONValue?, type: ResourceType) {
        switch type {
        case .pod: Self.defaultPod(&object, creating: old == nil)
        case .deployment: Self.defaultDeployment(&object)
        case .replicaSet: Self.defaultReplicaSet(&object)
        case .replicationController: Self.defaultReplicationController(&object)
        case .job: Self.defaultJob(&object, old: old)
        case .cronJob: Self.defaultCronJob(&object)
        case .service: Self.defaultService(&object, old: old)
        case .namespace: Self.defaultNamespace(&object, creating: old == nil)
        case .secret: object.setDefault(["type"], "Opaque")
        default: break
        }
    }

    /// The field errors of the kind's own fields (metadata is checked for every kind).
    func validate(_ object: JSONValue, type: ResourceType) -> [KubeError.Cause] {
        switch type {
        case .pod: Self.podSpecCauses(object["spec"], field: FieldPath("spec"), restartPolicies: Self.allPolicies)
        case .deployment, .replicaSet: Self.replicatedCauses(object, type: type)
        case .replicationController: Self.replicationControllerCauses(object)
        case .job: Self.jobCauses(object)
        case .cronJob: Self.cronJobCauses(object)
        case .service: Self.serviceCauses(object)
        case .configMap: Self.dataKeyCauses(object, fields: ["data", "binaryData"])
        case .secret: Self.dataKeyCauses(object, fields: ["data", "stringData"])
        default: []
        }
    }

    /// ConfigMap and Secret keys: each a valid config key, no key in two of the maps.
    static func dataKeyCauses(_ object: JSONValue, fields: [String]) -> [KubeError.Cause] {
        var causes: [KubeError.Cause] = []
        var seen: Set<String> = []
        for field in fields {
            for key in (object[field]?.objectValue ?? [:]).keys.sorted() {
                if let problem = MetadataValidation.configKeyProblem(key) {
                    causes.append(.invalid(field, .string(key), problem))
                }
                if !seen.insert(key).inserted, field != "stringData" {
                    causes.append(.invalid(field, .string(key), "duplicate of key present in \(fields[0])"))
                }
            }
        }
        return causes
    }
}
