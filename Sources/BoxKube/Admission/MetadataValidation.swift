import BoxCore

/// Upstream's checks of label keys and values, annotation keys and config keys, with upstream's messages.
public enum MetadataValidation {
    /// nil when `key` is a valid qualified name (`app`, `example.com/tier`), else why not.
    public static func qualifiedNameProblem(_ key: String) -> String? {
        var name = Substring(key)
        var prefixProblem: String?
        if let slash = key.firstIndex(of: "/") {
            let prefix = String(key[..<slash])
            name = key[key.index(after: slash)...]
            if prefix.isEmpty {
                prefixProblem = "prefix part must be non-empty"
            } else if let problem = NameValidation.subdomainProblem(prefix) {
                prefixProblem = "prefix part " + problem
            }
        }
        if let prefixProblem { return prefixProblem }
        if name.isEmpty { return "name part must be non-empty" }
        if name.utf8.count > 63 { return "name part must be no more than 63 characters" }
        if !isLabelText(name) {
            return
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        }
        return nil
    }

    /// nil when `value` is a valid label value (empty is valid), else why not.
    public static func labelValueProblem(_ value: String) -> String? {
        if value.utf8.count > 63 { return "must be no more than 63 characters" }
        if !value.isEmpty && !isLabelText(Substring(value)) {
            return
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        }
        return nil
    }

    /// nil when `key` is a valid ConfigMap/Secret data key, else why not.
    public static func configKeyProblem(_ key: String) -> String? {
        if key.utf8.count > 253 { return "must be no more than 253 characters" }
        if key.isEmpty || !key.utf8.allSatisfy({ isAlphanumeric($0) || $0 == 45 || $0 == 46 || $0 == 95 }) {
            return
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
        }
        if key == "." || key == ".." || key.hasPrefix("..") { return "must not be '.' or '..' or start with '..'" }
        return nil
    }

    /// The field errors of a label map at `field` (`metadata.labels`, `spec.selector.matchLabels`).
    static func labelCauses(_ labels: JSONValue?, field: FieldPath) -> [KubeError.Cause] {
        guard let members = labels?.objectValue else { return [] }
        var causes: [KubeError.Cause] = []
        for key in members.keys.sorted() {
            if let problem = qualifiedNameProblem(key) { causes.append(.invalid(field.text, .string(key), problem)) }
            guard case .string(let value) = members[key] ?? .null else {
                causes.append(.invalid(field.key(key).text, members[key] ?? .null, "must be a string"))
                continue
            }
            if let problem = labelValueProblem(value) { causes.append(.invalid(field.text, .string(value), problem)) }
        }
        return causes
    }

    /// The field errors of `metadata`: the name (a DNS label for `dnsLabelName` kinds), labels and annotation keys.
    static func metadataCauses(_ object: JSONValue, dnsLabelName: Bool) -> [KubeError.Cause] {
        var causes: [KubeError.Cause] = []
        let name = object.name
        if !name.isEmpty,
            let problem = dnsLabelName ? NameValidation.labelProblem(name) : NameValidation.subdomainProblem(name)
        {
            causes.append(.invalid("metadata.name", .string(name), problem))
        }
        causes += labelCauses(object[path: ["metadata", "labels"]], field: FieldPath("metadata.labels"))
        if let annotations = object[path: ["metadata", "annotations"]]?.objectValue {
            var total = 0
            for key in annotations.keys.sorted() {
                if let problem = qualifiedNameProblem(key.lowercased()) {
                    causes.append(.invalid("metadata.annotations", .string(key), problem))
                }
                total += key.utf8.count + (annotations[key]?.stringValue?.utf8.count ?? 0)
            }
            if total > 262_144 {
                causes.append(
                    KubeError.Cause(
                        reason: "FieldValueTooLong", message: "Too long: must have at most 262144 bytes",
                        field: "metadata.annotations"))
            }
        }
        return causes
    }

    private static func isLabelText(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 45 || $0 == 46 || $0 == 95 }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (97...122).contains(byte) || (65...90).contains(byte) || (48...57).contains(byte)
    }
}
