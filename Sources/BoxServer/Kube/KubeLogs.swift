import BoxKube
import Foundation

/// `GET …/pods/NAME/log`: a container's output from its task's sandbox (`stdout`, then `stderr`), with `tailLines`,
/// `previous` and `follow` (new output is sent as it is written, until the client goes away or the container's
/// task changes).
enum KubeLogs {
    static func stream(_ request: KubeLogRequest, nodes: KubeNodes) async throws(KubeError) -> AsyncStream<[UInt8]> {
        guard
            let files = await nodes.logFiles(
                namespace: request.namespace, pod: request.pod, container: request.container,
                previous: request.previous)
        else {
            let which = request.previous ? "previous terminated container" : "container"
            throw .badRequest(
                "\(which) \"\(request.container ?? "")\" in pod \"\(request.pod)\" has no logs (not started yet, or its agent keeps none)"
            )
        }
        var offsets = files.map { _ in 0 }
        var initial: [UInt8] = []
        for (index, file) in files.enumerated() {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            initial += Array(data)
            offsets[index] = data.count
        }
        if let tail = request.tailLines { initial = lastLines(initial, tail) }
        let follow = request.follow
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let pump = Task { [offsets] in
            var offsets = offsets
            if !initial.isEmpty { continuation.yield(initial) }
            while follow && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                for (index, file) in files.enumerated() {
                    guard let handle = FileHandle(forReadingAtPath: file) else { continue }
                    defer { try? handle.close() }
                    try? handle.seek(toOffset: UInt64(offsets[index]))
                    let more = (try? handle.readToEnd()) ?? Data()
                    if !more.isEmpty {
                        offsets[index] += more.count
                        continuation.yield(Array(more))
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in pump.cancel() }
        return stream
    }

    /// The last `count` lines of `bytes` (a final line without a newline counts).
    static func lastLines(_ bytes: [UInt8], _ count: Int) -> [UInt8] {
        guard count >= 0 else { return bytes }
        if count == 0 { return [] }
        var newlines = 0
        var index = bytes.count
        if bytes.last == UInt8(ascii: "\n") { index -= 1 }
        while index > 0 {
            if bytes[index - 1] == UInt8(ascii: "\n") {
                newlines += 1
                if newlines == count { break }
            }
            index -= 1
        }
        return Array(bytes[index...])
    }
}
