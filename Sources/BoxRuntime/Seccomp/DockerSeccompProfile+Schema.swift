import Foundation

// The JSON shapes of a Docker profile, and the check that rejects fields outside them.
extension DockerSeccompProfile {
    struct RawProfile: Decodable {
        var defaultAction: String
        var defaultErrnoRet: UInt32?
        var architectures: [String]?
        var archMap: [RawArchitectureMap]?
        var syscalls: [RawSyscall]?
        var flags: [String]?
        var listenerPath: String?
        var listenerMetadata: String?
    }

    struct RawArchitectureMap: Decodable {
        var architecture: String
        var subArchitectures: [String]?
    }

    struct RawSyscall: Decodable {
        var names: [String]?
        var name: String?
        var action: String
        var errnoRet: UInt32?
        var args: [RawArgument]?
        var comment: String?
        var includes: RawCondition?
        var excludes: RawCondition?
    }

    struct RawArgument: Decodable {
        var index: UInt32
        var value: UInt64
        var valueTwo: UInt64?
        var op: String
    }

    struct RawCondition: Decodable {
        var caps: [String]?
        var arches: [String]?
        var minKernel: String?
    }

    /// The fields each object may have; a nested schema applies to an object value or to every element of an
    /// array value.
    indirect enum Schema: Sendable {
        case object([String: Schema])
        case leaf
    }

    static let schema: Schema = {
        let condition = Schema.object(["caps": .leaf, "arches": .leaf, "minKernel": .leaf])
        let argument = Schema.object(["index": .leaf, "value": .leaf, "valueTwo": .leaf, "op": .leaf])
        let syscall = Schema.object([
            "names": .leaf, "name": .leaf, "action": .leaf, "errnoRet": .leaf, "args": argument, "comment": .leaf,
            "includes": condition, "excludes": condition,
        ])
        return .object([
            "defaultAction": .leaf, "defaultErrnoRet": .leaf, "architectures": .leaf,
            "archMap": .object(["architecture": .leaf, "subArchitectures": .leaf]), "syscalls": syscall,
            "flags": .leaf, "listenerPath": .leaf, "listenerMetadata": .leaf,
        ])
    }()

    static func checkKeys(_ value: Any, schema: Schema, path: String, problems: inout [String]) {
        guard case .object(let fields) = schema else { return }
        if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                checkKeys(element, schema: schema, path: "\(path)[\(index)]", problems: &problems)
            }
            return
        }
        guard let object = value as? [String: Any] else { return }  // a wrong type is the decoder's to report
        for key in object.keys.sorted() {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let nested = fields[key] else {
                let known = fields.keys.sorted().joined(separator: ", ")
                problems.append("\(keyPath): unknown field (known here: \(known))")
                continue
            }
            if let element = object[key] { checkKeys(element, schema: nested, path: keyPath, problems: &problems) }
        }
    }
}
