import CSystemd

/// Appends typed values to an sd-bus message with the non-variadic calls (`sd_bus_message_append` is variadic and
/// unusable from Swift: runtime.md §0.3). Each method returns sd-bus's result: negative errno on failure, and a
/// failure is kept so that a chain of appends can be checked once at the end.
struct MessageWriter {
    let message: OpaquePointer

    /// A D-Bus type code as sd-bus takes it.
    static func code(_ type: Unicode.Scalar) -> CChar { CChar(truncatingIfNeeded: type.value) }

    func string(_ value: String) -> Int32 {
        sd_bus_message_append_basic(message, Self.code("s"), value)
    }

    func bool(_ value: Bool) -> Int32 {
        var int: Int32 = value ? 1 : 0  // D-Bus booleans are 32 bits wide
        return sd_bus_message_append_basic(message, Self.code("b"), &int)
    }

    func uint64(_ value: UInt64) -> Int32 {
        var value = value
        return sd_bus_message_append_basic(message, Self.code("t"), &value)
    }

    func uint32Array(_ values: [UInt32]) -> Int32 {
        values.withUnsafeBytes {
            sd_bus_message_append_array(message, Self.code("u"), $0.baseAddress, $0.count)
        }
    }

    /// Opens a container (`a`, `r`, `v`), runs `body`, closes it.
    func container(_ type: Unicode.Scalar, _ contents: String, _ body: () -> Int32) -> Int32 {
        var result = sd_bus_message_open_container(message, Self.code(type), contents)
        guard result >= 0 else { return result }
        result = body()
        guard result >= 0 else { return result }
        return sd_bus_message_close_container(message)
    }

    /// `a(sv)`: the unit properties.
    func properties(_ properties: [UnitProperty]) -> Int32 {
        container("a", "(sv)") {
            for property in properties {
                let result = container("r", "sv") {
                    let named = string(property.name)
                    guard named >= 0 else { return named }
                    return container("v", property.value.signature) { value(property.value) }
                }
                guard result >= 0 else { return result }
            }
            return 0
        }
    }

    func value(_ value: UnitProperty.Value) -> Int32 {
        switch value {
        case .bool(let flag): bool(flag)
        case .string(let text): string(text)
        case .uint64(let number): uint64(number)
        case .uint32Array(let numbers): uint32Array(numbers)
        }
    }
}
