/// The parts of `dig`'s output the tests read: the header status and flags, the question, the sections, and
/// whether dig had to retry over TCP.
struct DigOutput {
    var status: String?
    var flags: Set<String> = []
    /// The question as printed, without the leading ";": name, class, type.
    var question: [String] = []
    var answer: [[String]] = []
    var authority: [[String]] = []
    var additional: [[String]] = []
    /// dig saw TC over UDP and asked again over TCP.
    var retriedOverTCP = false
    /// The transport of the reply dig printed, from its SERVER line: "UDP" or "TCP".
    var transport: String?
    let text: String

    init(_ text: String) {
        self.text = text
        var section: WritableKeyPath<DigOutput, [[String]]>?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("Truncated, retrying in TCP mode") { retriedOverTCP = true }
            if let range = line.range(of: "status: ") {
                status = String(line[range.upperBound...].prefix { $0 != "," })
            } else if line.hasPrefix(";; flags:") {
                flags = Set(line.dropFirst(9).prefix { $0 != ";" }.split(separator: " ").map(String.init))
            } else if line.hasPrefix(";; SERVER:"), let open = line.lastIndex(of: "(") {
                transport = String(line[line.index(after: open)...].prefix { $0 != ")" })
            }
            switch line {
            case ";; QUESTION SECTION:": section = nil
            case ";; ANSWER SECTION:": section = \.answer
            case ";; AUTHORITY SECTION:": section = \.authority
            case ";; ADDITIONAL SECTION:": section = \.additional
            case "": section = nil
            default:
                let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
                if line.hasPrefix(";"), !line.hasPrefix(";;"), fields.count == 3, question.isEmpty {
                    question = [String(fields[0].dropFirst())] + fields.dropFirst()
                } else if let section, !line.hasPrefix(";") {
                    self[keyPath: section].append(fields)
                }
            }
        }
    }

    /// The data fields (after name, TTL, class and type) of the answers of `type`.
    func answers(_ type: String) -> [String] {
        answer.filter { $0.count >= 5 && $0[3] == type }.map { $0[4...].joined(separator: " ") }
    }
}
