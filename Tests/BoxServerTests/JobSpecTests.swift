import BoxBatch
import BoxCore
import Foundation
import Testing

@testable import BoxServer

/// The batch API's job body: `image` is optional (bodies without it parse as before), and with an image `cmd`
/// may be left out; a body with neither is refused; the views show the image.
@Suite struct JobSpecTests {
    let now = Instant(nanosecondsSinceEpoch: 1_000_000_000)

    func parse(_ json: String) throws -> BatchJob { try JobSpec.parse(Data(json.utf8), now: now) }

    @Test func imageIsOptional() throws {
        let plain = try parse(#"{"name": "a", "cmd": "echo hi"}"#)
        #expect(plain.image == nil && plain.command == "echo hi")
        let shell = try parse(#"{"name": "b", "cmd": "id -u", "image": "busybox:test"}"#)
        #expect(shell.image == "busybox:test" && shell.command == "id -u")
        let own = try parse(#"{"name": "c", "image": "busybox:test"}"#)
        #expect(own.image == "busybox:test" && own.command == "")
        let view = JobView(own, lastRun: BatchRun(id: "c.1", job: own, attempt: 1, trigger: .created, queuedAt: now))
        #expect(view.image == "busybox:test" && view.last_run?.image == "busybox:test")
        let encoded = String(decoding: try JSONEncoder().encode(JobView(plain, lastRun: nil)), as: UTF8.self)
        #expect(!encoded.contains("image"), "a job without an image shows none: \(encoded)")
    }

    @Test func neitherCommandNorImageIsRefused() {
        #expect(throws: (any Error).self) { try parse(#"{"name": "d"}"#) }
        do {
            _ = try parse(#"{"name": "d", "image": 3}"#)
            Issue.record("a number as image was accepted")
        } catch let error as APIError {
            #expect(error.message.contains("image: must be a string"), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
