/// The checked form of a tar entry name inside a layer.
enum LayerPath {
    /// The components of `name` ("./usr/bin/" → ["usr", "bin"]; "./" or "/" → [], the layer's root), or the
    /// reason it is refused: an absolute name, or a `..` component. A bare "/" is the root entry umoci writes; any
    /// other absolute name is refused (containerd would strip the slash; we follow the stricter reading).
    static func components(_ name: String) -> Result<[String], LayerPathError> {
        if name.hasPrefix("/") && !name.allSatisfy({ $0 == "/" }) { return .failure(.absolute) }
        var components: [String] = []
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { return .failure(.parentComponent) }
            components.append(String(component))
        }
        return .success(components)
    }
}

enum LayerPathError: Error, CustomStringConvertible {
    case absolute, parentComponent
    var description: String {
        switch self {
        case .absolute: "absolute names are not allowed in a layer"
        case .parentComponent: "a \"..\" component would leave the layer"
        }
    }
}

/// The whiteout names of the OCI layer format.
enum Whiteout {
    static let prefix = ".wh."
    /// In directory D: delete every child of D that lower layers have.
    static let opaque = ".wh..wh..opq"
    /// overlayfs's mark of an opaque directory.
    static let overlayOpaqueAttribute = "trusted.overlay.opaque"
}
