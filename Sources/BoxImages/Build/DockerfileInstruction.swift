/// One instruction of the Dockerfile subset clusterbox builds, already checked and with `$VAR` substituted where
/// Docker substitutes (FROM, COPY, ADD, ENV, LABEL, ARG, WORKDIR, USER, EXPOSE; never RUN, CMD or ENTRYPOINT, whose
/// variables the shell in the container expands).
public struct DockerfileInstruction: Sendable, Equatable {
    /// The 1-based line the instruction starts on (a continued instruction spans more).
    public var line: Int
    public var kind: Kind

    public init(line: Int, kind: Kind) {
        self.line = line
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        case from(BaseImage)
        /// Files from the build context, copied as they are.
        case copy(CopySpec)
        /// Like COPY, but a local tar archive among the sources is unpacked at the destination; which source is an
        /// archive depends on its content (`BuildContext.addSourceKind`), as in Docker.
        case add(CopySpec)
        case run(CommandForm)
        /// Variables in the order written; a later one may refer to an earlier instruction's.
        case env([KeyValue])
        /// An absolute path: a relative WORKDIR is resolved against the one before it (initially `/`).
        case workdir(String)
        /// `user[:group]`, names or numbers, resolved against the image's `/etc/passwd` when the task starts.
        case user(String)
        case entrypoint(CommandForm)
        case cmd(CommandForm)
        case expose([ExposedPort])
        case label([KeyValue])
        /// A build argument and its default; its value (given or default) is already substituted below it.
        case arg(name: String, defaultValue: String?)
    }
}

/// The image a build starts from.
public enum BaseImage: Sendable, Equatable {
    /// No base: the first layer is the build's own.
    case scratch
    /// `name[:tag]`; the tag defaults to `latest`.
    case image(name: String, tag: String)
}

/// COPY or ADD: sources relative to the build context, and the destination inside the image.
public struct CopySpec: Sendable, Equatable {
    public var sources: [String]
    /// As written (after substitution); a trailing `/` means "a directory", and a relative destination is relative
    /// to `workingDirectory`.
    public var destination: String
    /// The WORKDIR in force at this instruction, to resolve a relative destination.
    public var workingDirectory: String
    /// `--chown=USER[:GROUP]` as written, or nil for the default 0:0.
    public var chown: String?

    public init(sources: [String], destination: String, workingDirectory: String = "/", chown: String? = nil) {
        self.sources = sources
        self.destination = destination
        self.workingDirectory = workingDirectory
        self.chown = chown
    }
}

/// The two ways RUN, CMD and ENTRYPOINT take a command.
public enum CommandForm: Sendable, Equatable {
    /// Shell form: the text goes to `/bin/sh -c` unchanged.
    case shell(String)
    /// Exec (JSON) form: the argument vector as written, run without a shell.
    case exec([String])

    /// The argument vector to execute.
    public var arguments: [String] {
        switch self {
        case .shell(let text): ["/bin/sh", "-c", text]
        case .exec(let arguments): arguments
        }
    }
}

/// `KEY=value` of ENV and LABEL.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A port EXPOSE declares (informational in the image config: `ExposedPorts` keys `80/tcp`).
public struct ExposedPort: Sendable, Hashable, CustomStringConvertible {
    public enum TransportProtocol: String, Sendable, Hashable {
        case tcp, udp, sctp
    }

    public var port: UInt16
    public var transport: TransportProtocol

    public init(_ port: UInt16, _ transport: TransportProtocol = .tcp) {
        self.port = port
        self.transport = transport
    }

    /// The image config's key, `80/tcp`.
    public var description: String { "\(port)/\(transport.rawValue)" }
}
