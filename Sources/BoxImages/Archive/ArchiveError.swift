/// Why a tar or gzip stream was refused. Offsets count bytes of the (uncompressed) tar stream.
public enum ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The data ended inside a header or an entry's content (`what` says which).
    case truncated(offset: Int64, what: String)
    /// A header whose checksum does not add up: garbage, or not a tar at all.
    case badChecksum(offset: Int64, stored: Int64, computed: Int64)
    /// A numeric header field that is neither octal nor base-256.
    case badNumber(offset: Int64, field: String)
    /// A malformed pax extended header record.
    case badPaxHeader(offset: Int64, reason: String)
    /// A pax or GNU long-name header larger than clusterbox accepts.
    case oversizedHeader(offset: Int64, size: Int64)
    /// An entry type clusterbox does not unpack (sparse files, multi-volume parts).
    case unsupportedEntryType(name: String, type: Character)
    /// zlib refused the gzip stream.
    case gzip(String)
    /// zstd layers are not supported (no zstd library in this build).
    case zstdNotSupported

    public var description: String {
        switch self {
        case .truncated(let offset, let what): "tar: unexpected end of data at byte \(offset) (\(what))"
        case .badChecksum(let offset, let stored, let computed):
            "tar: bad header checksum at byte \(offset) (stored \(stored), computed \(computed)): not a tar archive, or corrupt"
        case .badNumber(let offset, let field):
            "tar: invalid number in the \(field) field of the header at byte \(offset)"
        case .badPaxHeader(let offset, let reason): "tar: invalid pax header at byte \(offset): \(reason)"
        case .oversizedHeader(let offset, let size):
            "tar: extended header of \(size) bytes at byte \(offset) is too large"
        case .unsupportedEntryType(let name, let type): "tar: entry \(name) has unsupported type '\(type)'"
        case .gzip(let message): "gzip: \(message)"
        case .zstdNotSupported: "zstd-compressed layers are not supported"
        }
    }
}
