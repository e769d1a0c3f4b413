internal import Foundation

/// Parsing each instruction's arguments.
extension DockerfileParser {
    mutating func from(_ text: String, words: ShellWords, line: Int) throws(DockerfileError)
        -> DockerfileInstruction.Kind
    {
        if sawFrom { throw DockerfileError(line: line, "a second FROM: only single-stage builds are supported") }
        let parts = try words.words(text)
        if let flag = parts.first(where: { $0.hasPrefix("--") }) {
            throw DockerfileError(line: line, "FROM flag \(flag) is not supported")
        }
        if parts.count >= 2 && parts[1].lowercased() == "as" {
            throw DockerfileError(
                line: line,
                "FROM … AS \(parts.dropFirst(2).joined(separator: " ")): multi-stage builds are not supported")
        }
        guard parts.count == 1, let reference = parts.first, !reference.isEmpty else {
            throw DockerfileError(line: line, "FROM needs exactly one image (scratch or NAME[:TAG])")
        }
        sawFrom = true
        return .from(try Self.baseImage(reference, line: line))
    }

    static func baseImage(_ reference: String, line: Int) throws(DockerfileError) -> BaseImage {
        if reference == "scratch" { return .scratch }
        if reference.contains("@") {
            throw DockerfileError(line: line, "FROM \(reference): references by digest are not supported")
        }
        let nameEnd = reference.lastIndex(of: "/").map { reference.index(after: $0) } ?? reference.startIndex
        var name = reference
        var tag = "latest"
        if let colon = reference[nameEnd...].lastIndex(of: ":") {
            name = String(reference[..<colon])
            tag = String(reference[reference.index(after: colon)...])
        }
        let nameCharacters = name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-/:".contains($0)) }
        let tagCharacters = tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        guard !name.isEmpty, nameCharacters, !tag.isEmpty, tag.count <= 128, tagCharacters else {
            throw DockerfileError(line: line, "FROM \(reference): not an image reference (NAME[:TAG], lowercase name)")
        }
        return .image(name: name, tag: tag)
    }

    mutating func copySpec(
        _ keyword: String, _ text: String, words: ShellWords, line: Int
    ) throws(DockerfileError) -> CopySpec {
        var rest = Substring(text)
        var chown: String? = nil
        while rest.hasPrefix("--") {
            let flag = rest.prefix(while: { !$0.isWhitespace })
            rest = rest.dropFirst(flag.count).drop(while: \.isWhitespace)
            if flag.hasPrefix("--chown=") {
                let value = try words.word(String(flag.dropFirst("--chown=".count)))
                guard !value.isEmpty else { throw DockerfileError(line: line, "\(keyword) --chown needs USER[:GROUP]") }
                chown = value
            } else if flag.hasPrefix("--from") {
                throw DockerfileError(line: line, "\(keyword) \(flag): multi-stage builds are not supported")
            } else {
                throw DockerfileError(line: line, "\(keyword) flag \(flag) is not supported")
            }
        }
        let arguments: [String]
        if let json = try Self.jsonArray(keyword, String(rest), line: line) {
            arguments = try json.map { (element) throws(DockerfileError) in try words.word(element) }
        } else {
            arguments = try words.words(String(rest))
        }
        guard arguments.count >= 2, let destination = arguments.last, !destination.isEmpty,
            arguments.dropLast().allSatisfy({ !$0.isEmpty })
        else {
            throw DockerfileError(line: line, "\(keyword) needs a source and a destination")
        }
        let sources = Array(arguments.dropLast())
        if sources.count > 1 && !destination.hasSuffix("/") {
            throw DockerfileError(
                line: line, "\(keyword) with more than one source needs a directory destination ending in /")
        }
        return CopySpec(sources: sources, destination: destination, workingDirectory: workingDirectory, chown: chown)
    }

    mutating func addSpec(_ text: String, words: ShellWords, line: Int) throws(DockerfileError) -> CopySpec {
        let spec = try copySpec("ADD", text, words: words, line: line)
        for source in spec.sources {
            let lower = source.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("git@")
                || lower.hasPrefix("ftp://") || lower.contains("://")
            {
                throw DockerfileError(
                    line: line, "ADD from a URL is not supported: \(source) (download it into the build context)")
            }
        }
        return spec
    }

    func command(
        _ keyword: String, _ text: String, line: Int, allowEmpty: Bool
    ) throws(DockerfileError) -> CommandForm {
        if keyword == "RUN", text.hasPrefix("--") {
            let flag = text.prefix(while: { !$0.isWhitespace })
            throw DockerfileError(line: line, "RUN flag \(flag) is not supported")
        }
        if let arguments = try Self.jsonArray(keyword, text, line: line) {
            if arguments.isEmpty && !allowEmpty { throw DockerfileError(line: line, "\(keyword) needs a command") }
            return .exec(arguments)
        }
        if text.isEmpty { throw DockerfileError(line: line, "\(keyword) needs a command") }
        return .shell(text)
    }

    /// The exec form's array, nil for the shell form. Text that opens like a JSON array (`[` then `"` or `]`) must
    /// be one, so a typo is an error instead of a shell command; `[ -f x ]` stays a shell command.
    static func jsonArray(_ keyword: String, _ text: String, line: Int) throws(DockerfileError) -> [String]? {
        guard text.first == "[" else { return nil }
        let next = text.dropFirst().drop(while: \.isWhitespace).first
        guard next == "\"" || next == "]" else { return nil }
        guard let array = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw DockerfileError(
                line: line, "\(keyword): malformed JSON array \(text) (write [\"arg\", …] with double quotes)")
        }
        return array
    }

    mutating func env(_ text: String, words: ShellWords, line: Int) throws(DockerfileError) -> [KeyValue] {
        let pairs = try keyValues("ENV", text, words: words, line: line)
        for pair in pairs { environment[pair.key] = pair.value }
        return pairs
    }

    /// `KEY value` (one pair, the value the rest of the line) or `KEY=value KEY2="v w"`. Every value is substituted
    /// with the variables from before this instruction, as in Docker.
    func keyValues(_ keyword: String, _ text: String, words: ShellWords, line: Int) throws(DockerfileError)
        -> [KeyValue]
    {
        let firstWord = text.prefix(while: { !$0.isWhitespace })
        guard !firstWord.isEmpty else { throw DockerfileError(line: line, "\(keyword) needs KEY=VALUE") }
        var pairs: [KeyValue] = []
        if !firstWord.contains("=") {
            let value = text.dropFirst(firstWord.count).drop(while: \.isWhitespace)
            guard !value.isEmpty else { throw DockerfileError(line: line, "\(keyword) \(firstWord) needs a value") }
            pairs = [KeyValue(try words.word(String(firstWord)), try words.word(String(value)))]
        } else {
            for word in try Self.rawWords(text, keyword: keyword, line: line) {
                guard let equals = word.firstIndex(of: "=") else {
                    throw DockerfileError(line: line, "\(keyword) \(word): expected KEY=VALUE")
                }
                pairs.append(
                    KeyValue(
                        try words.word(String(word[..<equals])),
                        try words.word(String(word[word.index(after: equals)...]))
                    ))
            }
        }
        for pair in pairs where pair.key.isEmpty || pair.key.contains(where: \.isWhitespace) {
            throw DockerfileError(line: line, "\(keyword): bad key \"\(pair.key)\"")
        }
        return pairs
    }

    /// Whitespace-separated words with quotes and escapes kept, for `KEY="v w"` before it is processed.
    static func rawWords(_ text: String, keyword: String, line: Int) throws(DockerfileError) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character? = nil
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                current.append(character)
                escaped = true
            } else if let open = quote {
                current.append(character)
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                current.append(character)
                quote = character
            } else if character.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if quote != nil { throw DockerfileError(line: line, "\(keyword): unterminated quote in \(text)") }
        if !current.isEmpty { words.append(current) }
        return words
    }

    mutating func arg(_ text: String, words: ShellWords, line: Int) throws(DockerfileError)
        -> DockerfileInstruction.Kind
    {
        let raw = try Self.rawWords(text, keyword: "ARG", line: line)
        guard raw.count == 1, let declaration = raw.first else {
            throw DockerfileError(line: line, "ARG needs one NAME[=default]")
        }
        let equals = declaration.firstIndex(of: "=")
        let name = String(declaration[..<(equals ?? declaration.endIndex)])
        guard let start = name.first, start.isNameStart, name.allSatisfy(\.isNameCharacter) else {
            throw DockerfileError(line: line, "ARG: bad name \"\(name)\"")
        }
        let defaultValue = try equals.map { (index) throws(DockerfileError) in
            try words.word(String(declaration[declaration.index(after: index)...]))
        }
        // Redeclared after FROM without a default, a global ARG keeps its value (Docker's rule).
        let value = buildArguments[name] ?? defaultValue ?? (sawFrom ? globalArguments[name] : nil)
        if let value {
            if sawFrom { arguments[name] = value } else { globalArguments[name] = value }
        }
        return .arg(name: name, defaultValue: defaultValue)
    }

    mutating func workdir(_ text: String, words: ShellWords, line: Int) throws(DockerfileError) -> String {
        let path = try single("WORKDIR", text, words: words, line: line)
        workingDirectory = Self.resolve(path, against: workingDirectory)
        return workingDirectory
    }

    /// `path` made absolute against `base`, with `.` and `..` removed (`..` stops at `/`).
    static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var components: [Substring] = []
        for component in joined.split(separator: "/") {
            if component == "." { continue }
            if component == ".." {
                _ = components.popLast()
            } else {
                components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    func single(_ keyword: String, _ text: String, words: ShellWords, line: Int) throws(DockerfileError) -> String {
        let value = try words.word(text).trimmingWhitespace()
        guard !value.isEmpty else { throw DockerfileError(line: line, "\(keyword) needs a value") }
        return value
    }

    func expose(_ text: String, words: ShellWords, line: Int) throws(DockerfileError) -> [ExposedPort] {
        let specs = try words.words(text)
        guard !specs.isEmpty else { throw DockerfileError(line: line, "EXPOSE needs a port") }
        var ports: [ExposedPort] = []
        for spec in specs {
            let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
            let transportName = parts.count == 2 ? parts[1].lowercased() : "tcp"
            guard parts.count <= 2, let transport = ExposedPort.TransportProtocol(rawValue: transportName) else {
                throw DockerfileError(line: line, "EXPOSE \(spec): expected PORT[/tcp|udp|sctp]")
            }
            let bounds = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let low = UInt16(bounds[0]), let high = bounds.count == 2 ? UInt16(bounds[1]) : low,
                low >= 1, low <= high
            else {
                throw DockerfileError(line: line, "EXPOSE \(spec): not a port between 1 and 65535")
            }
            ports += (low...high).map { ExposedPort($0, transport) }
        }
        return ports
    }
}
