/// Kubernetes' name rules (RFC 1123 labels and subdomains), with upstream's messages.
public enum NameValidation {
    /// nil when `name` is a valid DNS subdomain (most object names), else why not.
    public static func subdomainProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 253 { return "must be no more than 253 characters" }
        let valid =
            !bytes.isEmpty && isAlphanumeric(bytes.first!) && isAlphanumeric(bytes.last!)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == 45 || $0 == 46 }
        return valid
            ? nil
            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    }

    /// nil when `name` is a valid DNS label (namespaces, services), else why not.
    public static func labelProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.count > 63 { return "must be no more than 63 characters" }
        let valid =
            !bytes.isEmpty && isAlphanumeric(bytes.first!) && isAlphanumeric(bytes.last!)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == 45 }
        return valid
            ? nil
            : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }
}
