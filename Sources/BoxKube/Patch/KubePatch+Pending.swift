public import BoxCore

// Placeholders until the JSON patch / strategic merge / apply implementations land: they fail clearly.
extension KubePatch {
    public static func jsonPatch(_ patch: JSONValue, to object: JSONValue) throws(KubeError) -> JSONValue {
        throw KubeError(code: 415, reason: "UnsupportedMediaType", message: "json patch is not supported yet")
    }

    public static func strategicMergePatch(_ patch: JSONValue, onto object: JSONValue, type: ResourceType)
        throws(KubeError) -> JSONValue
    {
        mergePatch(patch, onto: object)
    }

    public static func serverSideApply(_ patch: JSONValue, onto object: JSONValue, type: ResourceType)
        throws(KubeError) -> JSONValue
    {
        mergePatch(patch, onto: object)
    }
}
