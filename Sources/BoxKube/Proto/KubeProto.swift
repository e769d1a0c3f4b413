public import BoxCore

/// Kubernetes' protobuf request bodies (`application/vnd.kubernetes.protobuf`): the `k8s\0` envelope around a
/// `runtime.Unknown`, decoded into the JSON form of the object.
///
/// Only the kinds kubectl's generator subcommands send (`create deployment|namespace|configmap|secret|service|job|
/// serviceaccount`) and Pod are known, with the fields of `k8s.io/api`'s generated.proto listed in
/// `KubeProto+Schemas.swift`; unknown fields are skipped. Go's encoder writes every non-pointer field even when
/// empty, and the JSON encoder omits those, so empty strings, zeros and empty messages are dropped unless the Go
/// field is a pointer (then its presence means the client set it: `replicas: 0` stays).
public enum KubeProto {
    /// The four bytes every protobuf body starts with.
    public static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    public static func decode(_ body: [UInt8]) throws(KubeError) -> JSONValue {
        guard body.count >= 4, Array(body[0..<4]) == magic else {
            throw .badRequest("protobuf body does not start with the k8s\\0 prefix")
        }
        do {
            var reader = ProtoReader(body, range: 4..<body.count)
            var apiVersion = ""
            var kind = ""
            var raw: Range<Int>?
            var contentEncoding = ""
            while !reader.isAtEnd {
                let (number, wireType) = try reader.key()
                switch (number, wireType) {
                case (1, .lengthDelimited):
                    var typeMeta = ProtoReader(body, range: try reader.lengthDelimited())
                    while !typeMeta.isAtEnd {
                        let (field, fieldType) = try typeMeta.key()
                        switch (field, fieldType) {
                        case (1, .lengthDelimited): apiVersion = text(body, try typeMeta.lengthDelimited())
                        case (2, .lengthDelimited): kind = text(body, try typeMeta.lengthDelimited())
                        default: try typeMeta.skip(fieldType)
                        }
                    }
                case (2, .lengthDelimited): raw = try reader.lengthDelimited()
                case (3, .lengthDelimited): contentEncoding = text(body, try reader.lengthDelimited())
                default: try reader.skip(wireType)
                }
            }
            guard contentEncoding.isEmpty else {
                throw ProtoFailure("content encoding \"\(contentEncoding)\" is not supported")
            }
            guard let schema = ProtoSchema.topLevel[kind], ProtoSchema.apiVersions[kind] == apiVersion else {
                throw KubeProtoUnsupported(apiVersion: apiVersion, kind: kind)
            }
            var object = try decodeMessage(body, raw ?? 0..<0, schema: schema)
            object["apiVersion"] = .string(apiVersion)
            object["kind"] = .string(kind)
            if object["metadata"] == nil { object["metadata"] = .object([:]) }
            return .object(object)
        } catch let failure as ProtoFailure {
            throw .badRequest("failed to decode the protobuf body: \(failure.message)")
        } catch let unsupported as KubeProtoUnsupported {
            let name =
                unsupported.kind.isEmpty ? "objects without a kind" : "\(unsupported.apiVersion) \(unsupported.kind)"
            throw KubeError(
                code: 415, reason: "UnsupportedMediaType",
                message: "protobuf bodies of \(name) are not supported; send JSON (kubectl create -f / apply)")
        } catch {
            throw .badRequest("failed to decode the protobuf body")
        }
    }

    /// One message's fields as a JSON object (empty non-pointer values left out).
    static func decodeMessage(_ body: [UInt8], _ range: Range<Int>, schema: ProtoSchema) throws(ProtoFailure)
        -> [String: JSONValue]
    {
        let fields = schema.fields
        var object: [String: JSONValue] = [:]
        var reader = ProtoReader(body, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.key()
            guard let field = fields[number] else {
                try reader.skip(wireType)
                continue
            }
            let value = try decodeValue(body, &reader, wireType: wireType, field: field)
            if field.repeated {
                guard let value else { continue }
                if case .array(let values) = value {
                    object[field.name] = .array((object[field.name]?.arrayValue ?? []) + values)
                } else {
                    object[field.name] = .array((object[field.name]?.arrayValue ?? []) + [value])
                }
            } else if field.inline, case .object(let members)? = value {
                object.merge(members) { $1 }
            } else if case .object(let pairs)? = value, field.isMap {
                object[field.name] = .object((object[field.name]?.objectValue ?? [:]).merging(pairs) { $1 })
            } else if let value, field.keep || !isEmpty(value) {
                object[field.name] = value
            } else {
                object[field.name] = nil
            }
        }
        return object
    }

    private static func decodeValue(
        _ body: [UInt8], _ reader: inout ProtoReader, wireType: ProtoReader.WireType, field: ProtoField
    ) throws(ProtoFailure) -> JSONValue? {
        func expect(_ wanted: ProtoReader.WireType) throws(ProtoFailure) {
            guard wireType == wanted else {
                throw ProtoFailure("field \(field.name) (\(field.number)) has wire type \(wireType.rawValue)")
            }
        }
        switch field.type {
        case .string:
            try expect(.lengthDelimited)
            return .string(text(body, try reader.lengthDelimited()))
        case .bytes:
            try expect(.lengthDelimited)
            return .string(base64(body[try reader.lengthDelimited()]))
        case .int:
            if wireType == .lengthDelimited, field.repeated {
                // A packed repeated integer field.
                var packed = ProtoReader(body, range: try reader.lengthDelimited())
                var values: [JSONValue] = []
                while !packed.isAtEnd { values.append(.int(Int(Int64(bitPattern: try packed.varint())))) }
                return .array(values)
            }
            try expect(.varint)
            return .int(Int(Int64(bitPattern: try reader.varint())))
        case .bool:
            try expect(.varint)
            return .bool(try reader.varint() != 0)
        case .message(let schema):
            try expect(.lengthDelimited)
            return .object(try decodeMessage(body, try reader.lengthDelimited(), schema: schema))
        case .map(let valueType):
            try expect(.lengthDelimited)
            var entry = ProtoReader(body, range: try reader.lengthDelimited())
            var key = ""
            var value = JSONValue.string("")
            while !entry.isAtEnd {
                let (number, entryType) = try entry.key()
                guard entryType == .lengthDelimited, number == 1 || number == 2 else {
                    try entry.skip(entryType)
                    continue
                }
                let range = try entry.lengthDelimited()
                if number == 1 {
                    key = text(body, range)
                } else {
                    switch valueType {
                    case .string: value = .string(text(body, range))
                    case .bytes: value = .string(base64(body[range]))
                    case .quantity: value = quantity(try decodeMessage(body, range, schema: .quantity))
                    }
                }
            }
            return .object([key: value])
        case .quantity:
            try expect(.lengthDelimited)
            return quantity(try decodeMessage(body, try reader.lengthDelimited(), schema: .quantity))
        case .intOrString:
            try expect(.lengthDelimited)
            let members = try decodeMessage(body, try reader.lengthDelimited(), schema: .intOrString)
            if members["type"]?.intValue == 1 { return members["strVal"] ?? .string("") }
            return members["intVal"] ?? .int(0)
        case .time:
            try expect(.lengthDelimited)
            let members = try decodeMessage(body, try reader.lengthDelimited(), schema: .time)
            guard let seconds = members["seconds"]?.intValue, seconds != 0,
                seconds > -62_135_596_800, seconds < 253_402_300_800
            else { return nil }
            return .string(KubeTime.format(Instant(nanosecondsSinceEpoch: Int64(seconds) * 1_000_000_000)))
        }
    }

    private static func quantity(_ members: [String: JSONValue]) -> JSONValue { members["string"] ?? .string("") }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .int(let number): number == 0
        case .bool(let flag): !flag
        case .array(let elements): elements.isEmpty
        case .object(let members): members.isEmpty
        case .double(let number): number == 0
        }
    }

    private static func text(_ body: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: body[range], as: UTF8.self)
    }

    /// Standard base64 with padding, as JSON carries `[]byte` fields (Secret `data`, ConfigMap `binaryData`).
    static func base64(_ bytes: ArraySlice<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let count = min(3, bytes.endIndex - index)
            let b0 = UInt32(bytes[index])
            let b1 = count > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = count > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(count > 1 ? alphabet[Int(triple >> 6 & 63)] : 61)
            out.append(count > 2 ? alphabet[Int(triple & 63)] : 61)
            index += count
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A kind this decoder has no schema for (415, so the message can point at JSON).
struct KubeProtoUnsupported: Error {
    var apiVersion: String
    var kind: String
}
