import BoxImages
import Foundation
import Testing

/// The Dockerfile subset: each instruction parses to what the builder needs, with lines, continuations, comments,
/// directives and variable substitution handled as Docker does.
struct BuildDockerfileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/build")

    /// One file with every instruction: the result, instruction by instruction, with the line each starts on.
    @Test func everyInstructionOfTheFixture() throws {
        let text = try String(
            contentsOf: Self.fixtures.appendingPathComponent("Dockerfile.every-instruction"), encoding: .utf8)
        let parsed = try Dockerfile.parse(text)
        let expected: [DockerfileInstruction] = [
            .init(line: 5, kind: .arg(name: "BASE_TAG", defaultValue: "1.36")),
            .init(line: 6, kind: .from(.image(name: "busybox", tag: "1.36"))),
            .init(line: 7, kind: .arg(name: "VERSION", defaultValue: "1.0")),
            .init(line: 8, kind: .env([KeyValue("APP_HOME", "/srv/app")])),
            .init(
                line: 9,
                kind: .env([KeyValue("GREETING", "hello world"), KeyValue("LEVEL", "1.0-final"), KeyValue("EMPTY", "")])
            ),
            .init(
                line: 11,
                kind: .label([
                    KeyValue("org.opencontainers.image.version", "1.0"), KeyValue("maintainer", "ops team"),
                ])),
            .init(line: 12, kind: .workdir("/srv/app")),
            .init(
                line: 13,
                kind: .copy(
                    CopySpec(
                        sources: ["app.sh", "config/"], destination: "./", workingDirectory: "/srv/app",
                        chown: "1000:1000"))),
            .init(
                line: 14, kind: .add(CopySpec(sources: ["rootfs.tar"], destination: "/", workingDirectory: "/srv/app"))),
            .init(line: 15, kind: .run(.shell("set -e;     echo \"$GREETING\" > /greeting"))),
            .init(line: 19, kind: .run(.exec(["/bin/sh", "-c", "echo exec form"]))),
            .init(line: 20, kind: .user("65534:65534")),
            .init(line: 21, kind: .expose([ExposedPort(8080), ExposedPort(53, .udp)])),
            .init(line: 22, kind: .entrypoint(.exec(["/srv/app/app.sh"]))),
            .init(line: 23, kind: .cmd(.shell("--serve --port 8080"))),
        ]
        #expect(parsed.count == expected.count)
        for (got, want) in zip(parsed, expected) { #expect(got == want) }
    }

    @Test func fromScratchAndDefaultTag() throws {
        #expect(try Dockerfile.parse("FROM scratch").first?.kind == .from(.scratch))
        #expect(try Dockerfile.parse("from alpine").first?.kind == .from(.image(name: "alpine", tag: "latest")))
        // A registry port is part of the name, not a tag.
        #expect(
            try Dockerfile.parse("FROM localhost:5000/team/app").first?.kind
                == .from(.image(name: "localhost:5000/team/app", tag: "latest")))
        #expect(
            try Dockerfile.parse("FROM localhost:5000/app:v2").first?.kind
                == .from(.image(name: "localhost:5000/app", tag: "v2")))
    }

    @Test func shellAndExecForms() throws {
        let parsed = try Dockerfile.parse(
            """
            FROM scratch
            RUN [ -f /etc/passwd ] && echo yes
            RUN cat <<< "here-string"
            CMD ["a", "b c"]
            ENTRYPOINT []
            CMD echo $HOME
            """)
        #expect(parsed[1].kind == .run(.shell("[ -f /etc/passwd ] && echo yes")))
        #expect(CommandForm.shell("echo hi").arguments == ["/bin/sh", "-c", "echo hi"])
        #expect(parsed[2].kind == .run(.shell("cat <<< \"here-string\"")))
        #expect(parsed[3].kind == .cmd(.exec(["a", "b c"])))
        #expect(parsed[4].kind == .entrypoint(.exec([])))
        // RUN, CMD and ENTRYPOINT are left to the shell in the container: no substitution.
        #expect(parsed[5].kind == .cmd(.shell("echo $HOME")))
    }

    /// ENV's two forms, and that values on one ENV line see only the variables from before it.
    @Test func envForms() throws {
        let parsed = try Dockerfile.parse(
            """
            FROM scratch
            ENV A one two  three
            ENV A=1 B=$A C='$A' D="x\\"y" E=a\\ b
            ENV F=${A}-${B}
            """)
        #expect(parsed[1].kind == .env([KeyValue("A", "one two  three")]))
        #expect(
            parsed[2].kind
                == .env([
                    KeyValue("A", "1"), KeyValue("B", "one two  three"), KeyValue("C", "$A"), KeyValue("D", "x\"y"),
                    KeyValue("E", "a b"),
                ]))
        #expect(parsed[3].kind == .env([KeyValue("F", "1-one two  three")]))
    }

    @Test func substitutionModifiers() throws {
        let parsed = try Dockerfile.parse(
            """
            FROM scratch
            ENV SET=yes EMPTY=
            LABEL a=${UNSET:-d1} b=${EMPTY:-d2} c=${EMPTY-d3} d=${SET:+alt} e=${UNSET:+alt} f=${EMPTY+alt} g=\\$SET h=$ i=${SET}x
            USER ${NAME:-${SET}}
            WORKDIR "/a b/$SET"
            """)
        #expect(
            parsed[2].kind
                == .label([
                    KeyValue("a", "d1"), KeyValue("b", "d2"), KeyValue("c", ""), KeyValue("d", "alt"),
                    KeyValue("e", ""),
                    KeyValue("f", "alt"), KeyValue("g", "$SET"), KeyValue("h", "$"), KeyValue("i", "yesx"),
                ]))
        #expect(parsed[3].kind == .user("yes"))
        #expect(parsed[4].kind == .workdir("/a b/yes"))
    }

    /// ARG values: the default, overridden by a build argument, overridden in turn by ENV; a global ARG is seen
    /// after FROM only when redeclared.
    @Test func buildArguments() throws {
        let text = """
            ARG TAG=1
            FROM app:$TAG
            USER ${TAG:-none}
            ARG TAG
            ARG PORT=80
            EXPOSE $PORT
            ENV PORT=90
            EXPOSE $PORT
            """
        let parsed = try Dockerfile.parse(text, buildArguments: ["PORT": "81"])
        #expect(parsed[1].kind == .from(.image(name: "app", tag: "1")))
        #expect(parsed[2].kind == .user("none"))
        #expect(parsed[5].kind == .expose([ExposedPort(81)]))
        #expect(parsed[7].kind == .expose([ExposedPort(90)]))
        let overridden = try Dockerfile.parse(text, buildArguments: ["TAG": "2"])
        #expect(overridden[1].kind == .from(.image(name: "app", tag: "2")))
    }

    @Test func workdirResolvesAgainstThePreviousOne() throws {
        let parsed = try Dockerfile.parse(
            """
            FROM scratch
            WORKDIR /a
            WORKDIR b/./c
            WORKDIR ../d
            COPY x y
            """)
        #expect(parsed[2].kind == .workdir("/a/b/c"))
        #expect(parsed[3].kind == .workdir("/a/b/d"))
        #expect(parsed[4].kind == .copy(CopySpec(sources: ["x"], destination: "y", workingDirectory: "/a/b/d")))
    }

    @Test func copyAndAddForms() throws {
        let parsed = try Dockerfile.parse(
            """
            FROM scratch
            ENV DIR=/opt
            COPY ["with space.txt", "$DIR/"]
            add --chown=7 a.tar.gz b/ $DIR/
            COPY *.sh /bin/
            """)
        #expect(parsed[2].kind == .copy(CopySpec(sources: ["with space.txt"], destination: "/opt/")))
        #expect(parsed[3].kind == .add(CopySpec(sources: ["a.tar.gz", "b/"], destination: "/opt/", chown: "7")))
        #expect(parsed[4].kind == .copy(CopySpec(sources: ["*.sh"], destination: "/bin/")))
    }

    @Test func exposeRangesAndProtocols() throws {
        let parsed = try Dockerfile.parse("FROM scratch\nEXPOSE 80/TCP 7000-7002/udp 9/sctp")
        #expect(
            parsed[1].kind
                == .expose([
                    ExposedPort(80), ExposedPort(7000, .udp), ExposedPort(7001, .udp), ExposedPort(7002, .udp),
                    ExposedPort(9, .sctp),
                ]))
        #expect(ExposedPort(53, .udp).description == "53/udp")
    }

    /// CRLF line ends, leading whitespace, a continuation at the end of the file, blank and comment lines in a
    /// continuation, and a `#` that is not at the start of a line.
    @Test func lineHandling() throws {
        let parsed = try Dockerfile.parse(
            "\r\n  # comment\r\n\tFROM scratch\r\nRUN echo a \\\r\n\r\n  # inside\r\n  b # not a comment\r\nCMD x \\")
        #expect(parsed.map(\.line) == [3, 4, 8])
        #expect(parsed[1].kind == .run(.shell("echo a   b # not a comment")))
        #expect(parsed[2].kind == .cmd(.shell("x")))
    }
}
