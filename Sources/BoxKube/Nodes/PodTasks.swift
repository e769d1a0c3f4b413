import BoxCore

/// How a pod becomes a task group: one task per container, with the command, environment and ports Kubernetes'
/// rules give it. Pure: the config maps and secrets the environment refers to are read beforehand.
enum PodTasks {
    /// The image that means "run the command on the agent's host, no image".
    static let hostImage = "host"
    /// Copied from the pod's annotations to every task's labels: how long a simulated task runs.
    static let durationAnnotation = "clusterbox.io/duration"

    /// `<namespace>.<pod>.<container>.<uid prefix>-<launch>`: unique per launch, and only characters that object
    /// keys and Mesos task ids accept (names are DNS labels/subdomains, the uid is hex and dashes).
    static func taskID(namespace: String, pod: String, container: String, uid: String, launch: Int) -> TaskID {
        TaskID("\(namespace).\(pod).\(container).\(uid.prefix(8))-\(launch)")
    }

    /// The command and image of a container, or why it cannot run. Kubernetes' rules: `command` replaces the
    /// image's entrypoint and `args` its cmd. `image: host` runs `command` + `args` as a shell line on the agent.
    static func program(_ container: JSONValue) -> Result<(command: String?, image: ContainerInfo?), PodLaunchError> {
        let name = container["name"]?.stringValue ?? ""
        let command = container["command"]?.arrayValue?.compactMap(\.stringValue)
        let args = container["args"]?.arrayValue?.compactMap(\.stringValue)
        let image = container["image"]?.stringValue ?? ""
        if image == hostImage || image.isEmpty {
            let words = (command ?? []) + (args ?? [])
            guard !words.isEmpty else {
                return .failure(
                    PodLaunchError(
                        reason: image.isEmpty ? "InvalidImageName" : "CreateContainerConfigError",
                        message: image.isEmpty
                            ? "container \(name) has neither an image nor a command"
                            : "container \(name) runs on the host (image: host) but has no command"))
            }
            // One word with spaces is a shell line (`sh -c` style); several words are an argv, quoted.
            let line = words.count == 1 ? words[0] : words.map(shellQuoted).joined(separator: " ")
            return .success((line, nil))
        }
        return .success((nil, ContainerInfo(image: image, entrypoint: command, arguments: args)))
    }

    /// `'it'\''s'`: safe in a POSIX shell line.
    static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }
        if plain && !word.isEmpty { return word }
        return "'" + word.replacingAll("'", with: "'\\''") + "'"
    }

    /// The config maps and secrets the containers' `env[].valueFrom` and `envFrom` name.
    static func references(_ containers: [JSONValue]) -> (configMaps: Set<String>, secrets: Set<String>) {
        var configMaps: Set<String> = []
        var secrets: Set<String> = []
        for container in containers {
            for variable in container["env"]?.arrayValue ?? [] {
                if let name = variable[path: ["valueFrom", "configMapKeyRef", "name"]]?.stringValue {
                    configMaps.insert(name)
                }
                if let name = variable[path: ["valueFrom", "secretKeyRef", "name"]]?.stringValue {
                    secrets.insert(name)
                }
            }
            for source in container["envFrom"]?.arrayValue ?? [] {
                if let name = source[path: ["configMapRef", "name"]]?.stringValue { configMaps.insert(name) }
                if let name = source[path: ["secretRef", "name"]]?.stringValue { secrets.insert(name) }
            }
        }
        return (configMaps, secrets)
    }

    /// The container's environment: `envFrom` first (with its prefix), then `env` (later entries win, `$(VAR)`
    /// references to earlier ones expanded), then `PORT`/`PORT_<NAME>`. `configMaps`/`secrets` hold the objects'
    /// data (secrets already decoded); a missing object or key that is not `optional` is an error.
    static func environment(
        _ container: JSONValue, configMaps: [String: [String: String]], secrets: [String: [String: String]],
        ports: [(name: String?, host: UInt16)]
    ) -> Result<[String: String], PodLaunchError> {
        var environment: [String: String] = [:]
        func missing(_ message: String) -> Result<[String: String], PodLaunchError> {
            .failure(PodLaunchError(reason: "CreateContainerConfigError", message: message))
        }
        for source in container["envFrom"]?.arrayValue ?? [] {
            let prefix = source["prefix"]?.stringValue ?? ""
            for (kind, key, store) in [("configmap", "configMapRef", configMaps), ("secret", "secretRef", secrets)] {
                guard let ref = source[key], let name = ref["name"]?.stringValue else { continue }
                guard let data = store[name] else {
                    if ref["optional"]?.boolValue == true { continue }
                    return missing("\(kind) \"\(name)\" not found")
                }
                for (variable, value) in data { environment[prefix + variable] = value }
            }
        }
        for variable in container["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue else { continue }
            if let value = variable["value"]?.stringValue {
                environment[name] = expand(value, environment)
                continue
            }
            for (kind, key, store) in [
                ("configmap", "configMapKeyRef", configMaps), ("secret", "secretKeyRef", secrets),
            ] {
                guard let ref = variable[path: ["valueFrom", key]], let object = ref["name"]?.stringValue,
                    let item = ref["key"]?.stringValue
                else { continue }
                let optional = ref["optional"]?.boolValue == true
                guard let data = store[object] else {
                    if optional { break }
                    return missing("\(kind) \"\(object)\" not found")
                }
                guard let value = data[item] else {
                    if optional { break }
                    return missing(
                        "couldn't find key \(item) in \(kind == "configmap" ? "ConfigMap" : "Secret") \(object)")
                }
                environment[name] = value
            }
            if environment[name] == nil, variable["valueFrom"] == nil { environment[name] = "" }
        }
        for (index, port) in ports.enumerated() {
            if index == 0 { environment["PORT"] = String(port.host) }
            environment["PORT\(index)"] = String(port.host)
            if let name = port.name, !name.isEmpty {
                environment["PORT_" + name.uppercased().replacingAll("-", with: "_")] = String(port.host)
            }
        }
        return .success(environment)
    }

    /// `$(VAR)` replaced by VAR's value when defined, `$$` by `$`, as Kubernetes expands `env[].value`.
    static func expand(_ value: String, _ environment: [String: String]) -> String {
        guard value.contains("$") else { return value }
        var out = ""
        var rest = Substring(value)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                out += "$"
                rest = after.dropFirst()
            } else if after.hasPrefix("("), let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                out += environment[name] ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                out += "$"
                rest = after
            }
        }
        return out + rest
    }

    /// A secret's `data` (base64) and `stringData` as text.
    static func secretData(_ secret: JSONValue) -> [String: String] {
        var data: [String: String] = [:]
        for (key, value) in secret["data"]?.stringMap ?? [:] {
            data[key] = Base64.decode(value).map { String(decoding: $0, as: UTF8.self) }
        }
        for (key, value) in secret["stringData"]?.stringMap ?? [:] { data[key] = value }
        return data
    }
}

/// Why a container cannot be started: the waiting reason the pod shows and the event message.
struct PodLaunchError: Error, Hashable, Sendable {
    var reason: String
    var message: String
}

/// Standard base64 (with or without padding), for secrets.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var bits: UInt32 = 0
        var count = 0
        var out: [UInt8] = []
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case 65...90: value = UInt32(byte - 65)
            case 97...122: value = UInt32(byte - 71)
            case 48...57: value = UInt32(byte + 4)
            case 43, 45: value = 62
            case 47, 95: value = 63
            case 61, 10, 13, 32: continue
            default: return nil
            }
            bits = bits << 6 | value
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8((bits >> UInt32(count)) & 0xff))
            }
        }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation in BoxKube).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
