import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the CLI may assume about where its output goes. Colour (ANSI escapes) only when standard output is a
/// terminal and `NO_COLOR` is unset or empty (https://no-color.org), so piped output, files and tests see plain
/// text; `CLICOLOR_FORCE=1` asks for colour anyway (as in BSD `ls`).
enum Terminal {
    /// True when standard output is a terminal.
    static var isTTY: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Whether to colour standard output.
    static var colour: Bool {
        colour(isTTY: isTTY, environment: ProcessInfo.processInfo.environment)
    }

    /// The rule, pure: `NO_COLOR` (non-empty) wins, then `CLICOLOR_FORCE` (non-empty, not "0"), then the TTY.
    static func colour(isTTY: Bool, environment: [String: String]) -> Bool {
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if let force = environment["CLICOLOR_FORCE"], !force.isEmpty, force != "0" { return true }
        return isTTY
    }

    /// `text` in bold when colouring, else unchanged.
    static func bold(_ text: String) -> String { colour ? "\u{1B}[1m" + text + "\u{1B}[0m" : text }

    /// `text` dimmed (for timings and hints) when colouring, else unchanged.
    static func dim(_ text: String) -> String { colour ? "\u{1B}[2m" + text + "\u{1B}[0m" : text }

    /// Seconds as the progress lines show them: "0.02 s", "1.35 s", "12.4 s".
    static func seconds(_ value: Double) -> String {
        String(format: value < 10 ? "%.2f s" : "%.1f s", max(0, value))
    }
}
