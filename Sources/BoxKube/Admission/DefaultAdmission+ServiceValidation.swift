import BoxCore

/// Service validation: type, ports, addresses.
extension DefaultAdmission {
    static func serviceCauses(_ object: JSONValue) -> [KubeError.Cause] {
        let spec = object["spec"] ?? .null
        var causes: [KubeError.Cause] = []
        let typeValue = spec["type"] ?? "ClusterIP"
        let type = typeValue.stringValue ?? ""
        if !serviceTypes.contains(type) {
            causes.append(.notSupported("spec.type", typeValue, supported: serviceTypes))
        }
        let clusterIP = spec["clusterIP"]?.stringValue ?? ""
        let headless = clusterIP == "None"
        if !clusterIP.isEmpty && !headless && !isIPv4(clusterIP) {
            causes.append(
                .invalid(
                    "spec.clusterIP", .string(clusterIP),
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        }
        if type == "ExternalName" && (spec["externalName"]?.stringValue ?? "").isEmpty {
            causes.append(.required("spec.externalName"))
        }
        if headless && (type == "NodePort" || type == "LoadBalancer") {
            causes.append(.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for \(type) services"))
        }
        if let affinity = spec["sessionAffinity"], !["ClientIP", "None"].contains(affinity.stringValue ?? "") {
            causes.append(.notSupported("spec.sessionAffinity", affinity, supported: ["ClientIP", "None"]))
        }
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty && !headless && type != "ExternalName" { causes.append(.required("spec.ports")) }
        var names: Set<String> = []
        for (index, port) in ports.enumerated() {
            causes += servicePortCauses(
                port, field: FieldPath("spec.ports").index(index), many: ports.count > 1, names: &names)
        }
        causes += MetadataValidation.labelCauses(spec["selector"], field: FieldPath("spec.selector"))
        return causes
    }

    static func servicePortCauses(_ port: JSONValue, field: FieldPath, many: Bool, names: inout Set<String>)
        -> [KubeError.Cause]
    {
        var causes: [KubeError.Cause] = []
        let name = port["name"]?.stringValue ?? ""
        if name.isEmpty {
            if many { causes.append(.required(field.child("name").text)) }
        } else {
            if let problem = NameValidation.labelProblem(name) {
                causes.append(.invalid(field.child("name").text, .string(name), problem))
            }
            if !names.insert(name).inserted { causes.append(.duplicate(field.child("name").text, .string(name))) }
        }
        if let number = port["port"] {
            if !(1...65535).contains(number.intValue ?? 0) {
                causes.append(.invalid(field.child("port").text, number, "must be between 1 and 65535, inclusive"))
            }
        } else {
            causes.append(.required(field.child("port").text))
        }
        if let proto = port["protocol"], !protocols.contains(proto.stringValue ?? "") {
            causes.append(.notSupported(field.child("protocol").text, proto, supported: protocols))
        }
        switch port["targetPort"] ?? .null {
        case .null: break
        case .string(let named):
            if named.isEmpty || named.utf8.count > 15 || NameValidation.labelProblem(named.lowercased()) != nil {
                causes.append(
                    .invalid(
                        field.child("targetPort").text, .string(named),
                        "must contain at most 15 characters, only lowercase letters, digits and '-'"))
            }
        case let number:
            if !(1...65535).contains(number.intValue ?? 0) {
                causes.append(
                    .invalid(field.child("targetPort").text, number, "must be between 1 and 65535, inclusive"))
            }
        }
        if let nodePort = port["nodePort"], !nodePortRange.contains(nodePort.intValue ?? 0) {
            causes.append(
                .invalid(
                    field.child("nodePort").text, nodePort,
                    "provided port is not in the valid range. The range of valid ports is 30000-32767"))
        }
        return causes
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber }
                    && (Int(part) ?? 256) <= 255
            }
    }
}
