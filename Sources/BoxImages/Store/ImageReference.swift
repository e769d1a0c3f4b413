/// Image references as the store keeps them: `name:tag` in full (`busybox:latest`,
/// `registry.example:5000/team/app:v2`), `latest` when no tag is given. A reference may also be `name@sha256:…`.
public enum ImageReference {
    /// Validates `reference` and adds `:latest` when it names no tag.
    public static func normalize(_ reference: String) throws -> String {
        guard !reference.isEmpty else { throw ImageError.invalidReference(reference, reason: "empty") }
        guard reference.utf8.count <= 512 else { throw ImageError.invalidReference(reference, reason: "too long") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:@+")
        if let bad = reference.first(where: { !allowed.contains($0) }) {
            throw ImageError.invalidReference(reference, reason: "character \"\(bad)\" is not allowed")
        }
        guard let first = reference.first, first.isLetter || first.isNumber else {
            throw ImageError.invalidReference(reference, reason: "must start with a letter or digit")
        }
        guard !reference.hasSuffix(":"), !reference.hasSuffix("/"), !reference.contains("//") else {
            throw ImageError.invalidReference(reference, reason: "empty name component or tag")
        }
        if reference.contains("@") { return reference }
        return tag(of: reference) == nil ? reference + ":latest" : reference
    }

    /// The tag: what follows the last ':' when no '/' comes after it (so a registry's port is no tag).
    public static func tag(of reference: String) -> String? {
        guard let colon = reference.lastIndex(of: ":") else { return nil }
        if let slash = reference.lastIndex(of: "/"), slash > colon { return nil }
        return String(reference[reference.index(after: colon)...])
    }

    /// The part before the tag.
    public static func name(of reference: String) -> String {
        guard tag(of: reference) != nil, let colon = reference.lastIndex(of: ":") else { return reference }
        return String(reference[..<colon])
    }

    /// The hex a digest reference names: `sha256:<hex prefix>` or a bare hex prefix; nil for anything else.
    static func digestPrefix(_ reference: String) -> String? {
        let hex = reference.hasPrefix("sha256:") ? String(reference.dropFirst(7)) : reference
        guard !hex.isEmpty, hex.count <= 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return hex
    }
}
