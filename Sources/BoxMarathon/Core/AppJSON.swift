public import BoxCore

/// Reads Marathon app definitions from request bodies (`POST /v2/apps`, `PUT /v2/apps[/{id}]`) into checked,
/// defaulted `App`s, answering what Marathon answers for what it cannot take (reference §3, §10):
/// - not JSON, or not an object → 400 `Invalid JSON`;
/// - wrong JSON types (`"instances": "three"` → `/instances`: `error.expected.jsnumber`) and broken rules → one 422
///   `Object is not valid` listing every failing field, so a user fixes everything in one round;
/// - unknown fields are ignored, as Marathon ignores them (GET-then-PUT round trips carry `tasks`, `deployments`…).
///
/// Takes bytes as `some Collection<UInt8>` so `Data` passes straight in while the core stays free of Foundation.
public enum AppJSON {
    /// - Parameters:
    ///   - pathID: the id from the URL (`PUT /v2/apps/{id}`); it wins over the body's `id`.
    ///   - base: the stored app for a partial update (PUT's default): fields absent from the body (or `null`)
    ///     keep its values. nil: a create (or a full replacement), absent fields take Marathon's defaults.
    ///   - now: stamps the result: a new app gets `version`, `lastConfigChangeAt` and `lastScalingAt` = now; an
    ///     update gets `version` = now, plus both others when the config changed (Marathon counts a config change
    ///     as a scaling too), or only `lastScalingAt` when just `instances` changed.
    public static func decode(
        _ bytes: some Collection<UInt8>, id pathID: PathID?, base: App?, now: Instant
    ) throws(MarathonError) -> App {
        let body = try document(bytes)
        guard case .object(let members) = body else { throw notAnObject(path: "/") }
        var reader = AppReader(body: members, prefix: "")
        let app = reader.read(id: pathID, base: base, now: now)
        guard reader.errors.isEmpty else {
            throw .invalid(message: MarathonError.notValid, details: reader.errors.list)
        }
        return app
    }

    /// `PUT /v2/apps` with an array of app definitions, each with its `id`. `base` finds the stored app for a
    /// partial update (return nil for a create, or always nil for `partialUpdate=false`). Errors name the element:
    /// `(1)/cpus`.
    public static func decodeList(
        _ bytes: some Collection<UInt8>, now: Instant, base: (PathID) -> App? = { _ in nil }
    ) throws(MarathonError) -> [App] {
        guard case .array(let elements) = try document(bytes) else {
            throw .badRequest(
                message: "Invalid JSON", details: [FieldError(path: "/", errors: ["error.expected.jsarray"])])
        }
        var errors = FieldErrors()
        var apps: [App] = []
        var seen: Set<PathID> = []
        for (index, element) in elements.enumerated() {
            let prefix = "(\(index))"
            guard case .object(let members) = element else {
                errors.add(prefix, "error.expected.jsobject")
                continue
            }
            // The id decides the base, so it is resolved first; a bad one is reported by the reader below.
            let id: PathID? = if case .string(let text) = members["id"] { try? PathID(text) } else { nil }
            var reader = AppReader(body: members, prefix: prefix)
            let app = reader.read(id: nil, base: id.flatMap(base), now: now)
            if reader.errors.isEmpty, !seen.insert(app.id).inserted {
                reader.errors.add(prefix + "/id", "the id \(app.id) is given more than once")
            }
            errors.append(contentsOf: reader.errors)
            apps.append(app)
        }
        guard errors.isEmpty else { throw .invalid(message: MarathonError.notValid, details: errors.list) }
        return apps
    }

    /// The version a `PUT /v2/apps/{id}` body asks to roll back to: a body that is only `{"version": v}` (an `id`
    /// may come along). nil for any other body; the caller then decodes it as an update, which ignores `version`.
    public static func rollbackVersion(_ bytes: some Collection<UInt8>) throws(MarathonError) -> Instant? {
        guard case .object(let members) = try document(bytes), let version = members["version"], version != .null,
            members.keys.allSatisfy({ $0 == "version" || $0 == "id" })
        else { return nil }
        guard case .string(let text) = version else {
            throw .invalid(
                message: MarathonError.notValid,
                details: [FieldError(path: "/version", errors: ["error.expected.jsstring"])])
        }
        guard let instant = Timestamp.parse(text) else {
            throw .invalid(
                message: MarathonError.notValid,
                details: [
                    FieldError(path: "/version", errors: ["'\(text)' is not a timestamp like 2026-01-02T03:04:05.678Z"])
                ])
        }
        return instant
    }

    /// Parses a body; syntax errors are 400 with the place in `details`, as Marathon reports Jackson's.
    static func document(_ bytes: some Collection<UInt8>) throws(MarathonError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .badRequest(message: "Invalid JSON", details: [FieldError(path: "/", errors: [error.description])])
        }
    }

    private static func notAnObject(path: String) -> MarathonError {
        .badRequest(message: "Invalid JSON", details: [FieldError(path: path, errors: ["error.expected.jsobject"])])
    }
}

/// Reads one app object field by field onto a base, collecting errors with paths under `prefix`.
struct AppReader {
    let body: [String: JSONValue]
    let prefix: String
    var errors = FieldErrors()

    init(body: [String: JSONValue], prefix: String) {
        self.body = body
        self.prefix = prefix
    }

    mutating func read(id pathID: PathID?, base: App?, now: Instant) -> App {
        let id = readID(pathID: pathID, base: base)
        var app = base ?? App(id: id ?? .root)
        if let id { app.id = id }
        readFields(into: &app)
        // Rules are checked on the merged app, so a partial update cannot leave an invalid one behind. A field
        // whose JSON had the wrong type kept its old value as a whole (a list too, so indices in later messages
        // stay right): rule messages under its path would only repeat the type error.
        var failedPaths = Set(errors.list.map { String($0.path.dropFirst(prefix.count)) })
        if id == nil { failedPaths.insert("/id") }
        for error in app.validationErrors() where !failedPaths.contains(where: { error.path.hasPrefix($0) }) {
            for message in error.errors { errors.add(prefix + error.path, message) }
        }
        stamp(&app, base: base, now: now)
        return app
    }

    /// The URL's id, else the body's (relative ids resolve against `/`), else the base's.
    private mutating func readID(pathID: PathID?, base: App?) -> PathID? {
        let bodyID = present("id").flatMap { string($0, "/id") }
        if let pathID { return pathID }
        if let bodyID {
            do {
                return try PathID(bodyID)
            } catch {
                fail("/id", error.description)
                return nil
            }
        }
        if let base { return base.id }
        if body["id"] == nil || body["id"] == .null { fail("/id", "error.path.missing") }
        return nil
    }

    private func stamp(_ app: inout App, base: App?, now: Instant) {
        app.version = now
        guard let base else {
            app.lastConfigChangeAt = now
            app.lastScalingAt = now
            return
        }
        if !app.sameConfig(as: base) {
            app.lastConfigChangeAt = now
            app.lastScalingAt = now
        } else if app.instances != base.instances {
            app.lastScalingAt = now
        }
    }

    // MARK: - Typed access; each failure is recorded under the field's path

    /// The field's value, treating `null` as absent (Play JSON reads optional fields that way).
    func present(_ key: String) -> JSONValue? {
        guard let value = body[key], value != .null else { return nil }
        return value
    }

    mutating func fail(_ path: String, _ message: String) { errors.add(prefix + path, message) }

    mutating func double(_ value: JSONValue, _ path: String) -> Double? {
        guard let number = value.number else { return mismatch(path, "jsnumber") }
        return number
    }

    mutating func int(_ value: JSONValue, _ path: String) -> Int? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 1e15: return Int(number)
        case .double: return mismatch(path, "int")
        default: return mismatch(path, "jsnumber")
        }
    }

    mutating func string(_ value: JSONValue, _ path: String) -> String? {
        guard case .string(let text) = value else { return mismatch(path, "jsstring") }
        return text
    }

    mutating func bool(_ value: JSONValue, _ path: String) -> Bool? {
        guard case .bool(let flag) = value else { return mismatch(path, "jsboolean") }
        return flag
    }

    mutating func array(_ value: JSONValue, _ path: String) -> [JSONValue]? {
        guard case .array(let elements) = value else { return mismatch(path, "jsarray") }
        return elements
    }

    mutating func object(_ value: JSONValue, _ path: String) -> [String: JSONValue]? {
        guard case .object(let members) = value else { return mismatch(path, "jsobject") }
        return members
    }

    /// A string array; nil if it or any element has the wrong type (each element's error is reported).
    mutating func strings(_ value: JSONValue, _ path: String) -> [String]? {
        guard let elements = array(value, path) else { return nil }
        let texts = elements.enumerated().map { string($1, "\(path)(\($0))") }
        return texts.contains(nil) ? nil : texts.compactMap { $0 }
    }

    /// `{string: string}`, as `labels` and port labels are.
    mutating func stringMap(_ value: JSONValue, _ path: String) -> [String: String]? {
        guard let members = object(value, path) else { return nil }
        var result: [String: String] = [:]
        var ok = true
        for (key, member) in members {
            if let text = string(member, "\(path)/\(key)") { result[key] = text } else { ok = false }
        }
        return ok ? result : nil
    }

    /// Play JSON's type error names (`error.expected.jsnumber`), which Marathon passes through.
    private mutating func mismatch<T>(_ path: String, _ expected: String) -> T? {
        fail(path, "error.expected.\(expected)")
        return nil
    }
}
