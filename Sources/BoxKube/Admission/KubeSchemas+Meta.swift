/// apimachinery's types: ObjectMeta, LabelSelector, the string-encoded Quantity, Time and IntOrString.
extension KubeSchemas {
    static let quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"
    static let timeName = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
    static let intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    private static let metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1."

    /// The common fields of every top-level kind.
    static func kindFields(_ extra: [String: Field]) -> [String: Field] {
        var fields: [String: Field] = [
            "apiVersion": "APIVersion defines the versioned schema of this representation of an object.",
            "kind": "Kind is a string value representing the REST resource this object represents.",
            "metadata": .meta("ObjectMeta") ~ "Standard object's metadata.",
        ]
        fields.merge(extra) { _, new in new }
        return fields
    }

    static let meta: [Schema] = [
        Schema(
            quantity, "Quantity is a fixed-point representation of a number (e.g. 500m, 128Mi).",
            scalar: ("string", "")),
        Schema(timeName, "Time is a timestamp in RFC 3339 form.", scalar: ("string", "date-time")),
        Schema(
            "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", "MicroTime is a timestamp with microseconds.",
            scalar: ("string", "date-time")),
        Schema(intOrString, "IntOrString holds an int or a string.", scalar: ("string", "int-or-string")),
        Schema(
            metaPrefix + "ObjectMeta",
            "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
            [
                "name": "Name must be unique within a namespace.",
                "generateName": "An optional prefix used by the server to generate a unique name.",
                "namespace": "Namespace defines the space within which each name must be unique.",
                "uid": "UID is the unique in time and space value for this object.",
                "resourceVersion": "An opaque value that represents the internal version of this object.",
                "generation": .integer ~ "A sequence number representing a specific generation of the desired state.",
                "creationTimestamp": .time ~ "The time this object was created.",
                "deletionTimestamp": .time ~ "The time at which this resource will be deleted.",
                "deletionGracePeriodSeconds": .integer ~ "Seconds allowed for graceful termination.",
                "labels": .stringMap
                    ~ "Map of string keys and values that can be used to organize and categorize objects.",
                "annotations": .stringMap ~ "Unstructured key value map stored with a resource.",
                "ownerReferences": .array(.meta("OwnerReference")) ~ "Objects depended on by this object.",
                "finalizers": .strings ~ "Must be empty before the object is deleted from the registry.",
                "managedFields": .array(.meta("ManagedFieldsEntry")) ~ "Field managers of this object.",
                "selfLink": "Deprecated.",
            ]),
        Schema(
            metaPrefix + "OwnerReference", "OwnerReference contains enough information to identify an owning object.",
            [
                "apiVersion": .string, "kind": .string, "name": .string, "uid": .string,
                "controller": .boolean ~ "If true, this reference points to the managing controller.",
                "blockOwnerDeletion": .boolean,
            ], required: ["apiVersion", "kind", "name", "uid"]),
        Schema(
            metaPrefix + "ManagedFieldsEntry", "The workflow id and version of the fields set by a field manager.",
            [
                "manager": .string, "operation": .string, "apiVersion": .string, "time": .time,
                "fieldsType": .string, "fieldsV1": .free, "subresource": .string,
            ]),
        Schema(
            metaPrefix + "LabelSelector", "A label query over a set of resources.",
            [
                "matchLabels": .stringMap ~ "A map of {key,value} pairs.",
                "matchExpressions": .array(.meta("LabelSelectorRequirement"))
                    ~ "A list of label selector requirements.",
            ]),
        Schema(
            metaPrefix + "LabelSelectorRequirement", "A selector that contains values, a key, and an operator.",
            ["key": .string, "operator": "In, NotIn, Exists or DoesNotExist.", "values": .strings],
            required: ["key", "operator"]),
        Schema(
            metaPrefix + "Condition",
            "Condition contains details for one aspect of the current state of this API Resource.",
            [
                "type": .string, "status": .string, "observedGeneration": .integer, "lastTransitionTime": .time,
                "reason": .string, "message": .string,
            ]),
    ]
}
