import Foundation
import Synchronization

/// Ctrl-C during the tour: the first one stops the lesson at its next wait or step and lets it clean up what it
/// created (then the tour exits non-zero); a second one quits at once.
enum TourInterrupt {
    private static let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private static var source: (any DispatchSourceSignal)?  // set once on the main thread

    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            flag.store(true, ordering: .relaxed)
            FileHandle.standardError.write(Data("\ninterrupted: cleaning up (Ctrl-C again to quit at once)\n".utf8))
            signal(SIGINT, SIG_DFL)
        }
        source.resume()
        Self.source = source
    }

    /// Throws once Ctrl-C was pressed, so that the lesson stops and its cleanups run.
    static func check() throws {
        if requested { throw CLIError("interrupted (Ctrl-C)") }
    }
}
