import ArgumentParser
import Foundation

/// `clusterbox tour [N] [--list] [--yes]`: guided lessons that act on the running cluster, explain what happened
/// with measured numbers, and check their own claims (✓/✗). Exits non-zero when a claim did not hold.
struct Tour: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Guided lessons on the live cluster: offers, DRF, Marathon, Kubernetes, discovery.",
        discussion: """
            Each lesson acts on the running cluster, says what happened with measured numbers, and checks its own \
            claims against measured state: ✓ when a claim holds, ✗ (and a non-zero exit) when it does not. Lessons \
            remove what they create, also when they fail. Without N, every lesson runs in turn.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: "The lesson to run (1-\(Lessons.all.count)); all of them without it.")
    var lesson: Int?

    @Flag(name: .long, help: "List the lessons.")
    var list = false

    @Flag(name: [.short, .long], help: "Do not pause between steps (for scripts and CI).")
    var yes = false

    func validate() throws {
        if let lesson, !Lessons.all.contains(where: { $0.number == lesson }) {
            throw ValidationError(
                "there is no lesson \(lesson): lessons are 1 to \(Lessons.all.count) (clusterbox tour --list)")
        }
    }

    func run() throws {
        if list {
            for lesson in Lessons.all { print("\(lesson.number). \(lesson.title): \(lesson.summary)") }
            print("\nRun one with: clusterbox tour N   (--yes: without pauses)")
            return
        }
        let (info, master) = try cluster.connect()
        let session = TourSession(
            cluster: cluster, info: info, master: master, unattended: yes || isatty(STDIN_FILENO) == 0)
        let chosen = Lessons.all.filter { lesson == nil || $0.number == lesson }
        TourInterrupt.install()
        for lesson in chosen where !TourInterrupt.requested {
            session.begin(lesson)
            do {
                try lesson.run(session)
            } catch {
                session.stopped(by: error)
            }
            session.cleanUp()
        }
        print("")
        let verdict =
            session.failed == 0
            ? "all \(session.passed) claims held"
            : "\(session.failed) claim(s) did NOT hold, \(session.passed) held"
        print("Tour done: \(verdict).")
        if session.failed > 0 { throw ExitCode(1) }
    }
}
