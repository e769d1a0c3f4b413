public import BoxCore

/// The fields each kind has: strict field validation (`fieldValidation=Strict` rejects unknown fields) and the
/// OpenAPI schemas `kubectl explain` reads.
public enum KubeSchemas {
    /// Paths of fields `object` has that `type` does not know (`spec.foo`), for `strict decoding error: unknown
    /// field "spec.foo"`.
    public static func unknownFields(_ object: JSONValue, type: ResourceType) -> [String] { [] }
    /// OpenAPI v3 `components.schemas` entries for the kinds of one group-version, keyed by schema name.
    public static func componentSchemas(group: String, version: String) -> [String: JSONValue] { [:] }
}
