/// Round robin over one service's backends, strictly in order: connection k starts at backend k mod n, so 300
/// connections to 3 backends start 100 times at each. Pure; `ServicePool` keeps one under its lock, so the order
/// holds across event loops.
///
/// The cursor moves one step per connection whatever that connection's fate: when a backend refuses, the
/// connection moves on to the next backend, which then serves that connection as well as its own turn.
struct BackendRotation<Element: Equatable & Sendable>: Sendable {
    private(set) var elements: [Element]
    /// The next connection's first choice; always 0 when `elements` is empty.
    private var cursor = 0

    init(_ elements: [Element]) { self.elements = elements }

    /// Starts a connection: its attempts begin at the cursor, which then advances by one.
    mutating func nextAttempts() -> ConnectAttempts<Element> {
        let attempts = ConnectAttempts(candidates: elements, start: cursor)
        cursor = elements.isEmpty ? 0 : (cursor + 1) % elements.count
        return attempts
    }

    /// Swaps the list in place. The backend that was next stays next if it is still listed; otherwise the cursor
    /// keeps its position, wrapped to the new count.
    mutating func replace(with newElements: [Element]) {
        defer { elements = newElements }
        guard !newElements.isEmpty else {
            cursor = 0
            return
        }
        if cursor < elements.count, let index = newElements.firstIndex(of: elements[cursor]) {
            cursor = index
        } else {
            cursor %= newElements.count
        }
    }
}

/// The order in which one connection tries backends: each once, from `start`, wrapping round.
struct ConnectAttempts<Element: Sendable>: IteratorProtocol, Sendable {
    let candidates: [Element]
    let start: Int
    private var tried = 0

    init(candidates: [Element], start: Int) {
        precondition(candidates.isEmpty ? start == 0 : candidates.indices.contains(start), "start out of range")
        self.candidates = candidates
        self.start = start
    }

    /// The next backend to try, or nil once every candidate has had its attempt.
    mutating func next() -> Element? {
        guard tried < candidates.count else { return nil }
        defer { tried += 1 }
        return candidates[(start + tried) % candidates.count]
    }
}
