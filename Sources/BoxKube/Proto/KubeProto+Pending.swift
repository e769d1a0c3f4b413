public import BoxCore

/// Kubernetes' protobuf request bodies (`application/vnd.kubernetes.protobuf`): the `k8s\0` envelope around a
/// `runtime.Unknown`, decoded into the JSON form of the object.
public enum KubeProto {
    public static func decode(_ body: [UInt8]) throws(KubeError) -> JSONValue {
        throw KubeError(code: 415, reason: "UnsupportedMediaType", message: "protobuf bodies are not supported yet")
    }
}
