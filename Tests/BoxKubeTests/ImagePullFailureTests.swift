import BoxCore
import Testing

@testable import BoxKube

/// Which task failures the kubelet part shows as an image it could not pull (ImagePullBackOff, with the agent's
/// reason) rather than a crashed container: a launch failure whose message is about the container's own image.
@Suite struct ImagePullFailureTests {
    static let now = Instant(nanosecondsSinceEpoch: 1_000_000_000)

    static func failed(_ message: String?, reason: StatusReason? = .containerLaunchFailed, state: TaskState = .failed)
        -> TaskStatus
    {
        TaskStatus(taskID: "t", state: state, message: message, reason: reason, timestamp: now)
    }

    @Test func anImageTheAgentLacksIsAPullFailure() {
        let message = "image nosuch.example/app:1.0: no image nosuch.example/app:1.0 (`clusterbox image ls` lists them)"
        #expect(KubeNodes.imagePullFailure(Self.failed(message), image: "nosuch.example/app:1.0") == message)
    }

    @Test(
        arguments: [
            (ImagePullFailureTests.failed("image other:1: not found"), "nosuch:1"),  // another image's message
            (ImagePullFailureTests.failed("image nosuch:1: not found", reason: .taskInvalid), "nosuch:1"),  // not a launch failure
            (ImagePullFailureTests.failed("image nosuch:1: not found", state: .killed), "nosuch:1"),
            (ImagePullFailureTests.failed("exit status 1"), "nosuch:1"),  // the container ran and failed
            (ImagePullFailureTests.failed(nil), "nosuch:1"),
            (ImagePullFailureTests.failed("image host: whatever"), "host"),  // no image at all
        ] as [(TaskStatus, String)])
    func otherFailuresAreNot(status: TaskStatus, image: String) {
        #expect(KubeNodes.imagePullFailure(status, image: image) == nil)
    }
}
