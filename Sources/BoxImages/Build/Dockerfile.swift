/// The Dockerfile subset `clusterbox image build` understands: one stage (`FROM scratch|IMAGE[:TAG]`), COPY, ADD
/// (local files and local tar archives), RUN, ENV, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE, LABEL and ARG.
/// Anything else is an error naming its line, never silently skipped: an image built without a HEALTHCHECK or
/// VOLUME the author asked for would fail later, far from the cause.
///
/// Parsing is pure: it reads no files (the build context is `BuildContext`'s business) and substitutes variables
/// from the ENV and ARG instructions above each line and the `buildArguments` given.
public enum Dockerfile {
    /// The instructions of `text`, in order, each with its line number.
    public static func parse(
        _ text: String, buildArguments: [String: String] = [:]
    ) throws(DockerfileError) -> [DockerfileInstruction] {
        var parser = DockerfileParser(buildArguments: buildArguments)
        for line in try logicalLines(text) {
            try parser.add(line)
        }
        guard parser.sawFrom else { throw DockerfileError(line: 0, "no FROM instruction") }
        return parser.instructions
    }
}

/// The state parsing carries from one instruction to the next: variables, the working directory, whether FROM came.
struct DockerfileParser {
    let buildArguments: [String: String]
    var instructions: [DockerfileInstruction] = []
    var sawFrom = false
    /// ARGs declared before FROM: visible only to FROM.
    var globalArguments: [String: String] = [:]
    var arguments: [String: String] = [:]
    var environment: [String: String] = [:]
    var workingDirectory = "/"

    init(buildArguments: [String: String]) { self.buildArguments = buildArguments }

    /// Variables for substitution: ENV wins over ARG, as in Docker.
    var variables: [String: String] {
        sawFrom ? arguments.merging(environment) { _, env in env } : globalArguments
    }

    mutating func add(_ logical: Dockerfile.LogicalLine) throws(DockerfileError) {
        let keyword = logical.keyword.uppercased()
        let line = logical.line
        if !sawFrom && keyword != "FROM" && keyword != "ARG" && Self.supported.contains(keyword) {
            throw DockerfileError(line: line, "\(keyword) before FROM: FROM must be the first instruction")
        }
        if ["RUN", "COPY", "ADD"].contains(keyword), Self.hasHeredoc(logical.arguments) {
            throw DockerfileError(line: line, "\(keyword) with a heredoc (<<EOF) is not supported")
        }
        let kind: DockerfileInstruction.Kind
        let words = ShellWords(variables: variables, line: line)
        let text = logical.arguments
        switch keyword {
        case "FROM": kind = try from(text, words: words, line: line)
        case "COPY": kind = .copy(try copySpec("COPY", text, words: words, line: line))
        case "ADD": kind = .add(try addSpec(text, words: words, line: line))
        case "RUN": kind = .run(try command("RUN", text, line: line, allowEmpty: false))
        case "CMD": kind = .cmd(try command("CMD", text, line: line, allowEmpty: true))
        case "ENTRYPOINT": kind = .entrypoint(try command("ENTRYPOINT", text, line: line, allowEmpty: true))
        case "ENV": kind = .env(try env(text, words: words, line: line))
        case "LABEL": kind = .label(try keyValues("LABEL", text, words: words, line: line))
        case "ARG": kind = try arg(text, words: words, line: line)
        case "WORKDIR": kind = .workdir(try workdir(text, words: words, line: line))
        case "USER": kind = .user(try single("USER", text, words: words, line: line))
        case "EXPOSE": kind = .expose(try expose(text, words: words, line: line))
        default:
            if Self.unsupported.contains(keyword) {
                throw DockerfileError(line: line, "unsupported instruction \(keyword)")
            }
            throw DockerfileError(line: line, "unknown instruction \(Self.printable(logical.keyword))")
        }
        instructions.append(DockerfileInstruction(line: line, kind: kind))
    }

    static let supported: Set<String> = [
        "FROM", "COPY", "ADD", "RUN", "CMD", "ENTRYPOINT", "ENV", "LABEL", "ARG", "WORKDIR", "USER", "EXPOSE",
    ]
    /// Docker instructions outside the subset: named as unsupported rather than unknown.
    static let unsupported: Set<String> = [
        "HEALTHCHECK", "VOLUME", "SHELL", "ONBUILD", "STOPSIGNAL", "MAINTAINER",
    ]

    /// BuildKit's heredocs (`RUN <<EOF` and the lines up to `EOF`) would otherwise be read as instructions of
    /// their own; a here-string (`<<<`) is plain shell.
    static func hasHeredoc(_ text: String) -> Bool {
        text.split(whereSeparator: \.isWhitespace).contains { word in
            guard word.hasPrefix("<<") else { return false }
            let marker = word.dropFirst(2).drop(while: { $0 == "-" })
            guard let first = marker.first else { return false }
            return first.isNameStart || first == "\"" || first == "'"
        }
    }

    /// A keyword from a garbage line, shortened and with control characters escaped, fit for a message.
    static func printable(_ keyword: String) -> String {
        let short = keyword.count > 40 ? String(keyword.prefix(40)) + "…" : keyword
        return short.unicodeScalars.map {
            $0.properties.isWhitespace || $0.value < 0x20 ? $0.escaped(asASCII: true) : String($0)
        }
        .joined()
    }
}
