import Foundation

/// The commands of an example's README and the output it shows for each, so a test can run the walkthrough as
/// written. The convention (examples/README.md): inside a fenced code block, a line starting with `$ ` is a
/// command; the lines after it, up to the next command or the end of the block, are output it shows. `…` in a
/// shown line stands for any text (ids, ages, addresses, timings), and a line that is only `…` for lines left out.
/// Pure: the test supplies the README's text and each command's output.
struct Walkthrough {
    struct Step: Equatable {
        /// The command after `$ `, as the reader types it.
        var command: String
        /// The output lines shown under it (without `…`-only lines).
        var expected: [String]
        /// 1-based line of the command in the README, for messages.
        var line: Int
    }

    var steps: [Step]

    /// Reads the `$ ` steps of every fenced block, in order.
    init(markdown: String) {
        var steps: [Step] = []
        var inBlock = false
        var current: Step?
        for (index, raw) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                if let step = current { steps.append(step) }
                current = nil
                inBlock.toggle()
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ ") {
                if let step = current { steps.append(step) }
                current = Step(command: String(line.dropFirst(2)), expected: [], line: index + 1)
            } else if current != nil {
                let shown = Self.squeezed(line)
                if !shown.isEmpty && shown != "…" && shown != "..." { current?.expected.append(line) }
            }
        }
        if let step = current { steps.append(step) }
        self.steps = steps
    }

    /// Shown lines that no line of `output` matches. Each output line stands for one shown line at most, so three
    /// shown `frontend-…` lines need three pods; the order is not checked (stdout and stderr arrive apart).
    static func missing(_ expected: [String], in output: String) -> [String] {
        var unused = output.split(separator: "\n").map { squeezed(String($0)) }
        return expected.filter { pattern in
            let wanted = squeezed(pattern)
            guard let index = unused.firstIndex(where: { matches(wanted, $0) }) else { return true }
            unused.remove(at: index)
            return false
        }
    }

    /// Whether `line` matches `pattern` as a whole, `…` matching any text (with the spaces around it: `NAME … AGE`
    /// matches `NAME AGE` too); both already squeezed.
    static func matches(_ pattern: String, _ line: String) -> Bool {
        let pieces = pattern.replacingOccurrences(of: " … ", with: "…").components(separatedBy: "…")
        guard pieces.count > 1 else { return pattern == line }
        var rest = Substring(line)
        for (index, piece) in pieces.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(piece) else { return false }
                rest = rest.dropFirst(piece.count)
            } else if index == pieces.count - 1 {
                return piece.isEmpty || rest.hasSuffix(piece)
            } else if !piece.isEmpty {
                guard let range = rest.range(of: piece) else { return false }
                rest = rest[range.upperBound...]
            }
        }
        return true
    }

    /// Runs of spaces and tabs as one space, trimmed: table columns widen with their contents.
    static func squeezed(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
