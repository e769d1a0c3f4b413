/// A filter ready for libseccomp: the default action, the rules in order, and the architectures besides the native
/// one (libseccomp names: "x86", "x32"). Without extra architectures, calls made with another architecture's
/// convention (a 32-bit `int 0x80`) kill the task.
public struct SeccompFilter: Sendable, Hashable {
    public var defaultAction: SeccompAction
    public var rules: [SeccompRule]
    public var extraArchitectures: [String]

    public init(defaultAction: SeccompAction, rules: [SeccompRule], extraArchitectures: [String] = []) {
        self.defaultAction = defaultAction
        self.rules = rules
        self.extraArchitectures = extraArchitectures
    }
}
