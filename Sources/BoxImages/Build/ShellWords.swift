/// Docker's word processing for the instructions it substitutes: `$VAR`, `${VAR}` and the `${VAR:-word}` family
/// from the variables defined so far, quotes removed (`'…'` literal, `"…"` substituted), `\` escaping the next
/// character. Expansions are not split again, so a value with spaces stays one word.
struct ShellWords {
    let variables: [String: String]
    /// For error messages.
    let line: Int

    /// `text` split into words on unquoted whitespace.
    func words(_ text: String) throws(DockerfileError) -> [String] {
        try process(text, split: true)
    }

    /// `text` as one word: whitespace kept, quotes removed, variables substituted.
    func word(_ text: String) throws(DockerfileError) -> String {
        try process(text, split: false).first ?? ""
    }

    private func process(_ text: String, split: Bool) throws(DockerfileError) -> [String] {
        var reader = Reader(Array(text))
        var words: [String] = []
        var current = ""
        var inWord = false
        while let character = reader.next() {
            if split && character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
                continue
            }
            inWord = true
            switch character {
            case "\\":
                current.append(reader.next() ?? "\\")
            case "'":
                guard let literal = reader.take(until: "'") else {
                    throw DockerfileError(line: line, "unterminated single quote in \(text)")
                }
                current += literal
            case "\"":
                current += try doubleQuoted(&reader, in: text)
            case "$":
                current += try expansion(&reader, in: text)
            default:
                current.append(character)
            }
        }
        if inWord || !split { words.append(current) }
        return words
    }

    private func doubleQuoted(_ reader: inout Reader, in text: String) throws(DockerfileError) -> String {
        var result = ""
        while let character = reader.next() {
            switch character {
            case "\"":
                return result
            case "\\":
                if let next = reader.peek(), next == "\"" || next == "\\" || next == "$" {
                    result.append(next)
                    _ = reader.next()
                } else {
                    result.append("\\")
                }
            case "$":
                result += try expansion(&reader, in: text)
            default:
                result.append(character)
            }
        }
        throw DockerfileError(line: line, "unterminated double quote in \(text)")
    }

    /// After a `$`: the variable's value, or a literal `$` when no name follows.
    private func expansion(_ reader: inout Reader, in text: String) throws(DockerfileError) -> String {
        guard let first = reader.peek() else { return "$" }
        if first == "{" {
            _ = reader.next()
            return try braced(&reader, in: text)
        }
        guard first.isNameStart else { return "$" }
        var name = ""
        while let character = reader.peek(), character.isNameCharacter {
            name.append(character)
            _ = reader.next()
        }
        return variables[name] ?? ""
    }

    /// `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`, `${NAME:?message}`,
    /// `${NAME?message}`.
    private func braced(_ reader: inout Reader, in text: String) throws(DockerfileError) -> String {
        guard let body = reader.takeBraced() else {
            throw DockerfileError(line: line, "missing '}' in \(text)")
        }
        let name = String(body.prefix(while: \.isNameCharacter))
        guard let start = name.first, start.isNameStart else {
            throw DockerfileError(line: line, "bad substitution ${\(String(body))} in \(text)")
        }
        var rest = body.dropFirst(name.count)
        let value = variables[name]
        guard let modifierStart = rest.first else { return value ?? "" }
        let colon = modifierStart == ":"
        if colon { rest = rest.dropFirst() }
        guard let modifier = rest.first, "-+?".contains(modifier) else {
            throw DockerfileError(line: line, "bad substitution ${\(String(body))} in \(text)")
        }
        let operand = try word(String(rest.dropFirst()))
        let isSet = colon ? !(value ?? "").isEmpty : value != nil
        switch modifier {
        case "-": return isSet ? value ?? "" : operand
        case "+": return isSet ? operand : ""
        default:
            guard isSet else {
                let reason = operand.isEmpty ? "is not set" : operand
                throw DockerfileError(line: line, "\(name): \(reason)")
            }
            return value ?? ""
        }
    }
}

/// A cursor over characters.
private struct Reader {
    let characters: [Character]
    var index = 0

    init(_ characters: [Character]) { self.characters = characters }

    func peek() -> Character? { index < characters.count ? characters[index] : nil }

    mutating func next() -> Character? {
        guard index < characters.count else { return nil }
        defer { index += 1 }
        return characters[index]
    }

    /// The characters up to `end` (consumed, not returned), or nil when `end` never comes.
    mutating func take(until end: Character) -> String? {
        var result = ""
        while let character = next() {
            if character == end { return result }
            result.append(character)
        }
        return nil
    }

    /// After `${`: the body up to the matching `}`, nested `${…}` included.
    mutating func takeBraced() -> [Character]? {
        var depth = 1
        var body: [Character] = []
        while let character = next() {
            if character == "{" { depth += 1 }
            if character == "}" {
                depth -= 1
                if depth == 0 { return body }
            }
            body.append(character)
        }
        return nil
    }
}

extension Character {
    var isNameStart: Bool { isASCII && (isLetter || self == "_") }
    var isNameCharacter: Bool { isASCII && (isLetter || isNumber || self == "_") }
}
