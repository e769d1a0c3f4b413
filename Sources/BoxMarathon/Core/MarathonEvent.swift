public import BoxCore

/// What Marathon tells `/v2/events` listeners, in the terms of its event bus (§9 of the reference). The host
/// turns these into JSON.
public enum MarathonEvent: Hashable, Sendable {
    case apiPost(App)
    case groupChangeSuccess(version: Instant)
    case deploymentInfo(Deployment)
    case deploymentStepSuccess(Deployment)
    case deploymentSuccess(Deployment)
    case deploymentFailed(Deployment, reason: String)
    case statusUpdate(AppTask, message: String?)
    case instanceChanged(AppTask)
    case healthStatusChanged(AppTask, alive: Bool)
    case failedHealthCheck(AppTask, HealthCheck)
    case unhealthyInstanceKill(AppTask, reason: String)
    case appTerminated(PathID)
}

/// An event and when it happened.
public struct TimedEvent: Hashable, Sendable {
    public var event: MarathonEvent
    public var at: Instant
}
