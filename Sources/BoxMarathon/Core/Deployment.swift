public import BoxCore

/// A change to apps as Marathon plans it: ordered steps of actions done in parallel. A step is done when each of
/// its apps has reached the target (instances of the target version running and healthy, or no tasks when
/// stopped); then the next step starts.
public struct Deployment: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable {
        case start = "StartApplication"
        case scale = "ScaleApplication"
        case restart = "RestartApplication"
        case stop = "StopApplication"
    }

    public struct StepAction: Hashable, Sendable, Codable {
        public var action: Action
        public var app: PathID

        public init(_ action: Action, _ app: PathID) {
            self.action = action
            self.app = app
        }
    }

    public var id: String
    /// The version of the new state: the time of the change.
    public var version: Instant
    public var steps: [[StepAction]]
    /// Index into `steps` of the step in progress (the API shows it 1-based).
    public var currentStep = 0
    /// The apps as they were before (absent: created by this deployment), for rollback and the event's `plan`.
    public var original: [App]
    /// The apps as they will be (absent: deleted by this deployment).
    public var target: [App]

    public init(id: String, version: Instant, steps: [[StepAction]], original: [App], target: [App]) {
        self.id = id
        self.version = version
        self.steps = steps
        self.original = original
        self.target = target
    }

    public var affectedApps: [PathID] {
        var seen: Set<PathID> = []
        return steps.joined().map(\.app).filter { seen.insert($0).inserted }
    }

    public var currentActions: [StepAction] { currentStep < steps.count ? steps[currentStep] : [] }
}
