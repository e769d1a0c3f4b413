import BoxCore
import BoxKube
import Foundation
import Synchronization

/// Watch streams (reference §5.4): HTTP 200, chunked, one JSON event per line, each flushed.
extension KubeHandler {
    func watch(_ request: KubeHTTPRequest, type: ResourceType, namespace: String?, options: ListOptions)
        async throws(KubeError) -> KubeHTTPResponse
    {
        var timeout = defaultWatchTimeout
        if let text = request.parameter("timeoutSeconds"), !text.isEmpty {
            guard let seconds = Int(text), seconds >= 0 else { throw .badRequest("invalid timeoutSeconds: \(text)") }
            if seconds > 0 { timeout = .seconds(seconds) }
        } else {
            // Jitter, so that many watchers started together do not all come back at once.
            timeout += .milliseconds(Int.random(in: 0...Int(timeout.components.seconds * 100)))
        }
        let table = wantsTable(request)
        let includeObject = request.parameter("includeObject")
        let bookmarks = options.allowWatchBookmarks
        let latest = LatestVersion(options.resourceVersion ?? "")
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
        let interval = bookmarkInterval
        let pump: Task<Void, Never>
        if !table && options.fieldSelector.isEverything {
            // The common case (kubectl, client-go, the Python client): lines from the stored bytes, written by the
            // API's own task straight into this stream (one hop from commit to the socket writer).
            pump = try await api.watchLines(
                type, namespace: namespace, options: options,
                emit: { line, version in
                    if !version.isEmpty { latest.value.withLock { $0 = version } }
                    continuation.yield(line)
                },
                end: { errorLine in
                    if let errorLine { continuation.yield(errorLine) }
                    continuation.finish()
                })
        } else {
            pump = try await decodedPump(
                type, namespace: namespace, options: options, table: table, includeObject: includeObject,
                latest: latest, continuation: continuation)
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.finish()
        }
        let bookmarker = Task {
            guard bookmarks else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                let version = latest.value.withLock { $0 }
                guard !version.isEmpty, version != "0" else { continue }
                let object: JSONValue = [
                    "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                    "metadata": ["resourceVersion": .string(version)],
                ]
                continuation.yield(Self.line(KubeWatchEvent(kind: .bookmark, object: object)))
            }
        }
        continuation.onTermination = { _ in
            pump.cancel()
            timer.cancel()
            bookmarker.cancel()
        }
        return KubeHTTPResponse(
            status: 200, headers: [("Content-Type", "application/json")],
            body: .stream(stream, stop: { continuation.finish() }))
    }

    /// Watches that need the objects (Tables, field selectors): decoded events, encoded again as lines.
    private func decodedPump(
        _ type: ResourceType, namespace: String?, options: ListOptions, table: Bool, includeObject: String?,
        latest: LatestVersion, continuation: AsyncStream<[UInt8]>.Continuation
    ) async throws(KubeError) -> Task<Void, Never> {
        let events = try await api.watch(type, namespace: namespace, options: options)
        let clock = api.clock
        return Task {
            do {
                for try await event in events {
                    var object = event.object
                    let version = object.resourceVersion
                    if !version.isEmpty { latest.value.withLock { $0 = version } }
                    if table && [.added, .modified, .deleted].contains(event.kind) {
                        object = KubeTables.table(
                            type, objects: [object], resourceVersion: version, continueToken: nil,
                            includeObject: includeObject, now: clock.now)
                    }
                    continuation.yield(Self.line(KubeWatchEvent(kind: event.kind, object: object)))
                }
            } catch let error as KubeError {
                continuation.yield(Self.line(KubeWatchEvent(kind: .error, object: error.status)))
            } catch {
                if !Task.isCancelled {
                    let status = KubeError.internalError("\(error)").status
                    continuation.yield(Self.line(KubeWatchEvent(kind: .error, object: status)))
                }
            }
            continuation.finish()
        }
    }

    /// One event as a line of JSON.
    static func line(_ event: KubeWatchEvent) -> [UInt8] { Array((event.json.text + "\n").utf8) }
}

/// The newest resourceVersion a watch has sent, for its BOOKMARKs.
final class LatestVersion: Sendable {
    let value: Mutex<String>

    init(_ version: String) { value = Mutex(version) }
}
