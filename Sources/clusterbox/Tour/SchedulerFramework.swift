import Foundation

/// A framework the tour subscribes itself over the Mesos v1 scheduler HTTP API (`POST /api/v1/scheduler`), as
/// pymesos would: one connection carries the RecordIO event stream (read on a thread of its own into a queue),
/// and every call is a separate POST carrying the `Mesos-Stream-Id`.
final class SchedulerFramework: Sendable {
    let name: String
    let role: String
    let frameworkID: String
    private let host: String
    private let port: Int
    private let streamID: String
    /// Events received so far, and how many `nextEvent` has handed out.
    private let queue = EventQueue()

    /// Subscribes and waits (up to 15 s) for SUBSCRIBED.
    init(host: String, port: Int, name: String, role: String) throws {
        self.name = name
        self.role = role
        self.host = host
        self.port = port
        let body: [String: Any] = [
            "type": "SUBSCRIBE",
            "subscribe": [
                "framework_info": [
                    "user": "nobody", "name": name, "roles": [role], "capabilities": [["type": "MULTI_ROLE"]],
                    "failover_timeout": 0,
                ]
            ],
        ]
        let connection = try Connection(host: host, port: port, timeoutSeconds: 0)
        try connection.send(Self.head(host: host, port: port, body: try JSONSerialization.data(withJSONObject: body)))
        var reader = ResponseReader(connection: connection)
        let (status, headers) = try reader.readHead()
        guard status == 200, let stream = headers["mesos-stream-id"] else {
            connection.close()
            throw CLIError("SUBSCRIBE of \(name) answered HTTP \(status)")
        }
        streamID = stream
        let queue = self.queue
        let owned = StreamReader(reader: reader, headers: headers, connection: connection)
        let thread = Thread {
            owned.run { record in queue.append(record) }
            queue.end()
        }
        thread.start()
        let subscribed = poll(timeoutSeconds: 15, intervalSeconds: 0.01) {
            queue.first { $0["type"] as? String == "SUBSCRIBED" }
        }
        guard let subscribed, let info = subscribed["subscribed"] as? [String: Any],
            let id = (info["framework_id"] as? [String: Any])?["value"] as? String
        else { throw CLIError("\(name) was not SUBSCRIBED within 15 s") }
        frameworkID = id
    }

    private static func head(host: String, port: Int, body: Data, streamID: String? = nil) -> Data {
        var head = "POST /api/v1/scheduler HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
        head += "Accept: application/json\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let streamID { head += "Mesos-Stream-Id: \(streamID)\r\n" }
        var data = Data((head + "\r\n").utf8)
        data.append(body)
        return data
    }

    // MARK: - Events

    /// The next event not handed out yet whose type is in `types` (others are skipped), waiting up to `timeout`.
    func nextEvent(_ types: Set<String>, timeoutSeconds: Double) -> [String: Any]? {
        poll(timeoutSeconds: timeoutSeconds, intervalSeconds: 0.01) { queue.next(types) }
    }

    /// The offers of an OFFERS event.
    static func offers(in event: [String: Any]) -> [[String: Any]] {
        (event["offers"] as? [String: Any])?["offers"] as? [[String: Any]] ?? []
    }

    // MARK: - Calls

    /// Sends a call (202 expected) with this framework's id and stream id.
    func call(_ type: String, _ fields: [String: Any] = [:]) throws {
        var body = fields
        body["type"] = type
        body["framework_id"] = ["value": frameworkID]
        let connection = try Connection(host: host, port: port, timeoutSeconds: 10)
        defer { connection.close() }
        try connection.send(
            Self.head(
                host: host, port: port, body: try JSONSerialization.data(withJSONObject: body), streamID: streamID))
        var reader = ResponseReader(connection: connection)
        let (status, headers) = try reader.readHead()
        var text = Data()
        try reader.readBody(headers: headers) {
            text.append($0)
            return true
        }
        guard (200..<300).contains(status) else {
            throw CLIError("\(type) answered HTTP \(status): \(String(decoding: text, as: UTF8.self))")
        }
    }

    /// Declines offers, keeping them from this framework for `refuseSeconds`.
    func decline(_ offerIDs: [String], refuseSeconds: Double) throws {
        guard !offerIDs.isEmpty else { return }
        try call(
            "DECLINE",
            ["decline": ["offer_ids": offerIDs.map { ["value": $0] }, "filters": ["refuse_seconds": refuseSeconds]]])
    }

    /// Acknowledges a status update that asks for it (it carries a `uuid`).
    func acknowledge(_ update: [String: Any]) throws {
        guard let status = update["status"] as? [String: Any], let uuid = status["uuid"] as? String,
            let task = status["task_id"], let agent = status["agent_id"]
        else { return }
        try call("ACKNOWLEDGE", ["acknowledge": ["agent_id": agent, "task_id": task, "uuid": uuid]])
    }

    /// Ends the framework: the master kills its tasks and closes its stream.
    func teardown() throws {
        try call("TEARDOWN")
        _ = poll(timeoutSeconds: 5, intervalSeconds: 0.02) { queue.hasEnded ? true : nil }
    }
}

/// Events received so far, how many `nextEvent` has handed out, and whether the stream has ended.
/// `@unchecked Sendable`: every access goes through the mutex (events are JSON objects, which are not `Sendable`).
/// (A lock rather than `Mutex`: `Mutex.withLock` may only hand out `Sendable` values.)
private final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [[String: Any]] = []
    private var taken = 0
    private var ended = false

    func append(_ event: [String: Any]) { lock.withLock { events.append(event) } }
    func end() { lock.withLock { ended = true } }
    var hasEnded: Bool { lock.withLock { ended } }

    /// The first event received (handed out or not) that `matches`.
    func first(where matches: ([String: Any]) -> Bool) -> [String: Any]? {
        lock.withLock { events.first(where: matches) }
    }

    /// The next event not handed out yet whose type is in `types`; the others before it are skipped.
    func next(_ types: Set<String>) -> [String: Any]? {
        lock.withLock {
            while taken < events.count {
                let event = events[taken]
                taken += 1
                if types.contains(event["type"] as? String ?? "") { return event }
            }
            return nil
        }
    }
}

/// The event stream's reader, moved onto its thread once. `@unchecked Sendable`: after `init` only that thread
/// touches it (the one invariant that makes the unchecked conformance safe).
private final class StreamReader: @unchecked Sendable {
    private var reader: ResponseReader
    private let headers: [String: String]
    private let connection: Connection

    init(reader: ResponseReader, headers: [String: String], connection: Connection) {
        self.reader = reader
        self.headers = headers
        self.connection = connection
    }

    /// Reads RecordIO records (`length "\n" json`) until the stream ends, handing each JSON object to `onRecord`.
    func run(_ onRecord: ([String: Any]) -> Void) {
        var pending = Data()
        try? reader.readBody(headers: headers) { data in
            pending.append(data)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")),
                let length = Int(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)),
                pending.distance(from: newline, to: pending.endIndex) > length
            {
                let start = pending.index(after: newline)
                let end = pending.index(start, offsetBy: length)
                if let object = try? JSONSerialization.jsonObject(with: pending[start..<end]) as? [String: Any] {
                    onRecord(object)
                }
                pending = Data(pending[end...])
            }
            return true
        }
        connection.close()
    }
}
