/// Turning the Dockerfile's text into logical lines: parser directives, comments and blank lines dropped, `\`
/// continuations joined, and each instruction split into its keyword and arguments.
extension Dockerfile {
    /// One instruction's text, with the line it starts on.
    struct LogicalLine: Equatable {
        var line: Int
        var keyword: String
        var arguments: String
    }

    static func logicalLines(_ text: String) throws(DockerfileError) -> [LogicalLine] {
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        var lines: [LogicalLine] = []
        var pending: (line: Int, text: String)? = nil
        var readingDirectives = true
        for (index, raw) in physical.enumerated() {
            let number = index + 1
            let trimmed = raw.drop(while: \.isWhitespace)
            if readingDirectives {
                if let directive = parserDirective(trimmed) {
                    try check(directive, line: number)
                    continue
                }
                readingDirectives = false
            }
            // A comment or blank line inside a continued instruction is dropped too, as Docker does.
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            var content = String(raw)
            let continues = content.trailingBackslash
            if continues {
                content = String(content.reversed().drop(while: \.isWhitespace).dropFirst().reversed())
            }
            if var open = pending {
                open.text += content
                pending = open
            } else {
                pending = (number, content)
            }
            if !continues, let done = pending {
                lines.append(split(done.text, line: done.line))
                pending = nil
            }
        }
        // A continuation on the last line simply ends the instruction.
        if let done = pending, !done.text.allSatisfy(\.isWhitespace) { lines.append(split(done.text, line: done.line)) }
        return lines
    }

    private static func split(_ text: String, line: Int) -> LogicalLine {
        let body = text.drop(while: \.isWhitespace)
        let keyword = body.prefix(while: { !$0.isWhitespace })
        let arguments = body.dropFirst(keyword.count).trimmingWhitespace()
        return LogicalLine(line: line, keyword: String(keyword), arguments: arguments)
    }

    /// `# name=value` at the very top of the file.
    private static func parserDirective(_ line: Substring) -> (name: String, value: String)? {
        guard line.first == "#" else { return nil }
        let body = line.dropFirst().drop(while: \.isWhitespace)
        guard let equals = body.firstIndex(of: "="), equals != body.startIndex else { return nil }
        let name = body[..<equals].trimmingWhitespace()
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        return (name.lowercased(), body[body.index(after: equals)...].trimmingWhitespace())
    }

    /// Directives are ignored, except one that would change how the rest of the file reads.
    private static func check(_ directive: (name: String, value: String), line: Int) throws(DockerfileError) {
        if directive.name == "escape" && directive.value != "\\" {
            throw DockerfileError(line: line, "parser directive escape=\(directive.value) is not supported (only \\)")
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Whether the line ends in `\` (trailing whitespace allowed): the instruction continues on the next line.
    var trailingBackslash: Bool { reversed().drop(while: \.isWhitespace).first == "\\" }
}
