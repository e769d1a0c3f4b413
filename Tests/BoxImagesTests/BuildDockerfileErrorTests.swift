import BoxImages
import Testing

/// Every way a Dockerfile is refused: the message names the line and what is wrong. Garbage never crashes the
/// parser.
struct BuildDockerfileErrorTests {
    static let cases: [(text: String, message: String)] = [
        ("FROM scratch\nRUN x\n\n\n\n\nHEALTHCHECK CMD true", "Dockerfile line 7: unsupported instruction HEALTHCHECK"),
        ("FROM scratch\nVOLUME /data", "Dockerfile line 2: unsupported instruction VOLUME"),
        ("FROM scratch\nFROBNICATE x", "Dockerfile line 2: unknown instruction FROBNICATE"),
        ("FROM scratch\n\nCOPY onlyone", "Dockerfile line 3: COPY needs a source and a destination"),
        ("FROM scratch\nCOPY", "Dockerfile line 2: COPY needs a source and a destination"),
        ("FROM scratch\nADD x", "Dockerfile line 2: ADD needs a source and a destination"),
        (
            "FROM scratch\nCOPY a b c",
            "Dockerfile line 2: COPY with more than one source needs a directory destination ending in /"
        ),
        (
            "FROM scratch\nCOPY --from=build /a /b",
            "Dockerfile line 2: COPY --from=build: multi-stage builds are not supported"
        ),
        ("FROM scratch\nCOPY --chmod=755 a b", "Dockerfile line 2: COPY flag --chmod=755 is not supported"),
        ("FROM scratch\nCOPY --chown= a b", "Dockerfile line 2: COPY --chown needs USER[:GROUP]"),
        (
            "FROM scratch\nADD https://example.com/x.tgz /",
            "Dockerfile line 2: ADD from a URL is not supported: https://example.com/x.tgz (download it into the build context)"
        ),
        (
            "FROM scratch\nRUN [\"a\", b]",
            "Dockerfile line 2: RUN: malformed JSON array [\"a\", b] (write [\"arg\", …] with double quotes)"
        ),
        (
            "FROM scratch\nCMD [\"a\",",
            "Dockerfile line 2: CMD: malformed JSON array [\"a\", (write [\"arg\", …] with double quotes)"
        ),
        (
            "FROM scratch\nENTRYPOINT [\"a\", 1]",
            "Dockerfile line 2: ENTRYPOINT: malformed JSON array [\"a\", 1] (write [\"arg\", …] with double quotes)"
        ),
        ("FROM scratch\nRUN []", "Dockerfile line 2: RUN needs a command"),
        ("FROM scratch\nRUN", "Dockerfile line 2: RUN needs a command"),
        (
            "FROM scratch\nRUN --mount=type=cache,target=/x make",
            "Dockerfile line 2: RUN flag --mount=type=cache,target=/x is not supported"
        ),
        ("RUN true\nFROM scratch", "Dockerfile line 1: RUN before FROM: FROM must be the first instruction"),
        ("# only a comment\n", "Dockerfile: no FROM instruction"),
        ("", "Dockerfile: no FROM instruction"),
        ("FROM scratch\nFROM scratch", "Dockerfile line 2: a second FROM: only single-stage builds are supported"),
        ("FROM golang:1.22 AS build", "Dockerfile line 1: FROM … AS build: multi-stage builds are not supported"),
        ("FROM golang as build", "Dockerfile line 1: FROM … AS build: multi-stage builds are not supported"),
        ("FROM --platform=linux/arm64 x", "Dockerfile line 1: FROM flag --platform=linux/arm64 is not supported"),
        ("FROM", "Dockerfile line 1: FROM needs exactly one image (scratch or NAME[:TAG])"),
        ("FROM Ubuntu", "Dockerfile line 1: FROM Ubuntu: not an image reference (NAME[:TAG], lowercase name)"),
        ("FROM app:", "Dockerfile line 1: FROM app:: not an image reference (NAME[:TAG], lowercase name)"),
        ("FROM app@sha256:00", "Dockerfile line 1: FROM app@sha256:00: references by digest are not supported"),
        ("FROM scratch\nENV", "Dockerfile line 2: ENV needs KEY=VALUE"),
        ("FROM scratch\nENV KEY", "Dockerfile line 2: ENV KEY needs a value"),
        ("FROM scratch\nENV A=1 B", "Dockerfile line 2: ENV B: expected KEY=VALUE"),
        ("FROM scratch\nENV =x", "Dockerfile line 2: ENV: bad key \"\""),
        ("FROM scratch\nENV A=\"open", "Dockerfile line 2: ENV: unterminated quote in A=\"open"),
        ("FROM scratch\nLABEL", "Dockerfile line 2: LABEL needs KEY=VALUE"),
        ("FROM scratch\nUSER", "Dockerfile line 2: USER needs a value"),
        ("FROM scratch\nWORKDIR \"\"", "Dockerfile line 2: WORKDIR needs a value"),
        ("FROM scratch\nWORKDIR 'open", "Dockerfile line 2: unterminated single quote in 'open"),
        ("FROM scratch\nUSER \"open", "Dockerfile line 2: unterminated double quote in \"open"),
        ("FROM scratch\nUSER ${NAME", "Dockerfile line 2: missing '}' in ${NAME"),
        ("FROM scratch\nUSER ${1X}", "Dockerfile line 2: bad substitution ${1X} in ${1X}"),
        ("FROM scratch\nUSER ${X%y}", "Dockerfile line 2: bad substitution ${X%y} in ${X%y}"),
        ("FROM scratch\nUSER ${NAME:?must be given}", "Dockerfile line 2: NAME: must be given"),
        ("FROM scratch\nUSER ${NAME?}", "Dockerfile line 2: NAME: is not set"),
        ("FROM scratch\nEXPOSE", "Dockerfile line 2: EXPOSE needs a port"),
        ("FROM scratch\nEXPOSE 0", "Dockerfile line 2: EXPOSE 0: not a port between 1 and 65535"),
        ("FROM scratch\nEXPOSE 70000", "Dockerfile line 2: EXPOSE 70000: not a port between 1 and 65535"),
        ("FROM scratch\nEXPOSE 90-80", "Dockerfile line 2: EXPOSE 90-80: not a port between 1 and 65535"),
        ("FROM scratch\nEXPOSE 80/http", "Dockerfile line 2: EXPOSE 80/http: expected PORT[/tcp|udp|sctp]"),
        ("FROM scratch\nEXPOSE http", "Dockerfile line 2: EXPOSE http: not a port between 1 and 65535"),
        ("FROM scratch\nARG", "Dockerfile line 2: ARG needs one NAME[=default]"),
        ("FROM scratch\nARG A B", "Dockerfile line 2: ARG needs one NAME[=default]"),
        ("FROM scratch\nARG 9lives=1", "Dockerfile line 2: ARG: bad name \"9lives\""),
        ("FROM scratch\nRUN <<EOF\necho hi\nEOF", "Dockerfile line 2: RUN with a heredoc (<<EOF) is not supported"),
        ("FROM scratch\nCOPY <<-'EOT' /x\nEOT", "Dockerfile line 2: COPY with a heredoc (<<EOF) is not supported"),
        ("# escape=`\nFROM scratch", "Dockerfile line 1: parser directive escape=` is not supported (only \\)"),
    ]

    @Test(arguments: cases)
    func refused(text: String, message: String) {
        do {
            let parsed = try Dockerfile.parse(text)
            Issue.record("parsed, expected \(message): \(parsed)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func lineOfAContinuedInstructionIsItsFirst() {
        #expect(throws: DockerfileError(line: 2, "COPY needs a source and a destination")) {
            try Dockerfile.parse("FROM scratch\nCOPY \\\n  \\\n  only")
        }
    }

    /// Random documents built from Dockerfile fragments and raw noise (quotes, braces, backslashes, control
    /// characters, multi-byte text): each either parses or fails with a `DockerfileError` whose line is in the
    /// file, never a crash. Seeded, so a failure replays.
    @Test func garbageNeverCrashes() {
        var random = SplitMix64(seed: 0x5EED_D0C)
        let fragments = [
            "FROM", "scratch", "busybox:1", "AS", "COPY", "ADD", "RUN", "ENV", "LABEL", "ARG", "WORKDIR", "USER", "CMD",
            "ENTRYPOINT", "EXPOSE", "HEALTHCHECK", "--chown=", "--", "[", "]", "\"", "'", "\\", "\\\n", "\n", "\r\n",
            " ",
            "\t", "$", "${", "}", ":-", ":+", ":?", "=", "#", "# escape=`", "/", "..", "80/udp", "-", "é", "🙂", "\u{0}",
            "\u{7}", "x", "A", "1", "[\"a\"]", ",",
        ]
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) {
                text += fragments[Int(random.next() % UInt64(fragments.count))]
            }
            if random.next() % 2 == 0 { text = "FROM scratch\n" + text }
            let lineCount = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                .count
            do {
                _ = try Dockerfile.parse(text)
            } catch {
                #expect((0...lineCount).contains(error.line), "\(error) for \(text.debugDescription)")
                #expect(!error.message.isEmpty)
            }
        }
    }
}

/// A small seeded generator (SplitMix64), so the fuzz inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
