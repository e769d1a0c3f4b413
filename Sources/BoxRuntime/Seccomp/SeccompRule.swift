/// One libseccomp rule: a system call by name, optional argument comparisons (all must hold), and an action.
public struct SeccompRule: Sendable, Hashable {
    /// How an argument is compared (libseccomp's `SCMP_CMP_*`).
    public enum Comparison: Sendable, Hashable {
        case notEqual, lessThan, lessOrEqual, equal, greaterOrEqual, greaterThan
        /// `(argument & value) == valueTwo`.
        case maskedEqual
    }

    /// A condition on argument `index` (0 to 5).
    public struct Argument: Sendable, Hashable {
        public var index: UInt32
        public var comparison: Comparison
        public var value: UInt64
        public var valueTwo: UInt64

        public init(index: UInt32, _ comparison: Comparison, _ value: UInt64, _ valueTwo: UInt64 = 0) {
            self.index = index
            self.comparison = comparison
            self.value = value
            self.valueTwo = valueTwo
        }
    }

    public var syscall: String
    public var action: SeccompAction
    public var arguments: [Argument]

    public init(_ syscall: String, _ action: SeccompAction, arguments: [Argument] = []) {
        self.syscall = syscall
        self.action = action
        self.arguments = arguments
    }
}
