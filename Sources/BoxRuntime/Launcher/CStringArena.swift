#if canImport(Glibc)
    import Glibc
#endif

/// C copies of Swift values for one call into C (strings, NULL-terminated string arrays, plain arrays), all freed
/// together when the arena goes. Keep it alive across the call with `withExtendedLifetime`.
final class CStringArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var buffers: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for string in strings { free(string) }
        for buffer in buffers { buffer.deallocate() }
    }

    func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        guard let copy = strdup(value) else { fatalError("strdup: out of memory") }
        strings.append(copy)
        return copy
    }

    func string(_ value: String?) -> UnsafeMutablePointer<CChar>? { value.map { string($0) } }

    /// A NULL-terminated `char *[]`.
    func array(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        copy(values.map { Optional(string($0)) } + [nil])
    }

    /// A NULL-terminated `const char *const []`.
    func constArray(_ values: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        UnsafePointer(copy(values.map { Optional(UnsafePointer(string($0))) } + [nil]))
    }

    /// A C array holding `values` (at least one element of storage, so the pointer is never dangling).
    func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let storage = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<T>.stride * max(values.count, 1), alignment: MemoryLayout<T>.alignment)
        buffers.append(storage)
        let typed = storage.bindMemory(to: T.self, capacity: max(values.count, 1))
        typed.initialize(from: values, count: values.count)
        return typed
    }
}
