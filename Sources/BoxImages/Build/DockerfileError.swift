/// A Dockerfile that cannot be built: what is wrong, and on which line, so the user can go straight to it.
public struct DockerfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line the offending instruction starts on; 0 when the problem is the file as a whole.
    public let line: Int
    public let message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "Dockerfile line \(line): \(message)" : "Dockerfile: \(message)"
    }
}
