public import BoxCore

/// `meta.k8s.io/v1` Tables for `kubectl get`: the server prints, kubectl only lays the cells out. Columns and cells
/// follow upstream's printers (`pkg/printers/internalversion/printers.go`) run with `Wide: true`, since the server
/// always sends the priority-1 columns and kubectl hides them unless `-o wide`.
public enum KubeTables {
    /// A Table of `objects` (one row each); `includeObject` is the query parameter (`None`, `Metadata` (default),
    /// `Object`); `now` computes the Age cells.
    public static func table(
        _ type: ResourceType, objects: [JSONValue], resourceVersion: String, continueToken: String?,
        includeObject: String?, now: Instant
    ) -> JSONValue {
        let printer = printer(for: type)
        let rows: [JSONValue] = objects.map { object in
            var row: [String: JSONValue] = [
                "cells": .array(printer.cells(object, now)),
                "object": rowObject(object, includeObject: includeObject),
            ]
            let conditions = printer.conditions(object)
            if !conditions.isEmpty { row["conditions"] = .array(conditions) }
            return .object(row)
        }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": ["resourceVersion": .string(resourceVersion), "continue": .string(continueToken ?? "")],
            "columnDefinitions": .array(printer.columns.map(\.json)),
            "rows": .array(rows),
        ]
    }

    /// The row's `object`: `PartialObjectMetadata` by default (enough for `-A`, `--show-labels`, `-L`), the whole
    /// object for `Object` (`--sort-by`), nothing for `None`.
    static func rowObject(_ object: JSONValue, includeObject: String?) -> JSONValue {
        switch includeObject {
        case "None": .null
        case "Object": object
        default:
            [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"] ?? .object([:]),
            ]
        }
    }

    /// The printer of a served kind; `Name`, `Age` for any other.
    static func printer(for type: ResourceType) -> Printer {
        switch type.kind {
        case "Pod": podPrinter
        case "Deployment": deploymentPrinter
        case "ReplicaSet": replicaSetPrinter
        case "ReplicationController": replicationControllerPrinter
        case "Job": jobPrinter
        case "CronJob": cronJobPrinter
        case "Service": servicePrinter
        case "Endpoints": endpointsPrinter
        case "EndpointSlice": endpointSlicePrinter
        case "Node": nodePrinter
        case "Namespace": namespacePrinter
        case "Event": eventPrinter
        case "ConfigMap": configMapPrinter
        case "Secret": secretPrinter
        case "ServiceAccount": serviceAccountPrinter
        default: defaultPrinter
        }
    }

    static let defaultPrinter = Printer(columns: [.name, .age]) { object, now in
        [.string(object.name), age(object, now: now)]
    }
}

/// One kind's columns and how to fill them.
struct Printer: Sendable {
    var columns: [TableColumn]
    var cells: @Sendable (_ object: JSONValue, _ now: Instant) -> [JSONValue]
    /// Row conditions (`Completed` for finished pods); none for most kinds.
    var conditions: @Sendable (_ object: JSONValue) -> [JSONValue] = { _ in [] }
}

/// A `TableColumnDefinition`.
struct TableColumn: Sendable {
    var name: String
    /// `string`, `integer`, `boolean`, `date`, as upstream declares it.
    var type: String
    var description: String
    var priority: Int = 0
    var format: String = ""

    var json: JSONValue {
        [
            "name": .string(name), "type": .string(type), "format": .string(format),
            "description": .string(description), "priority": .int(priority),
        ]
    }

    /// The Name column; `format: name` makes kubectl prefix `kind/` in multi-type output.
    static let name = TableColumn(
        name: "Name", type: "string",
        description:
            "Name must be unique within a namespace. Is required when creating resources, although some resources "
            + "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
            + "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
            + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        format: "name")
    static let age = TableColumn(
        name: "Age", type: "string",
        description:
            "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
            + "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
            + "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
            + "lists. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
    static let containers = TableColumn(
        name: "Containers", type: "string", description: "Names of each container in the template.", priority: 1)
    static let images = TableColumn(
        name: "Images", type: "string", description: "Images referenced by each container in the template.",
        priority: 1)
    static let selector = TableColumn(
        name: "Selector", type: "string",
        description: "A label query over pods that should match the replica count.", priority: 1)
}
