public import BoxCore

/// Runs a Job's pods to completion, as the upstream job controller does for a non-indexed Job: keeps up to
/// `parallelism` pods active while fewer than `completions` have succeeded (no `completions`: a work queue, done
/// once one pod has succeeded and none is active), counts pods that ended Succeeded or Failed, and fails the Job
/// past `backoffLimit` failed pods or `activeDeadlineSeconds`. A pod with `restartPolicy: OnFailure` is restarted
/// in place by the kubelet; the Job sees a failure only when the pod's phase is Failed.
///
/// Counts come from the pods present (upstream tracks them with a finalizer); they never go down, so a finished pod
/// removed by hand does not run again.
public struct JobController: Controller {
    public let name = "job-controller"
    public var watches: [ResourceType] { [.job, .pod] }

    public init() {}

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        if type == .job { return [ObjectName(of: object)] }
        guard let owner = object.controllerReference, owner.kind == "Job", owner.apiVersion == "batch/v1" else {
            return []
        }
        return [ObjectName(namespace: object.namespace, name: owner.name)]
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let job = context.cache.get(.job, key), job.deletionTimestamp == nil else { return .done }
        var state = JobState(job: job, pods: context.cache.owned(.pod, by: job.uid, namespace: job.namespace))
        if state.isFinished { return .done }
        let now = context.now
        let decision = state.decide(now: now)
        do throws(KubeError) {
            for pod in decision.podsToDelete {
                try await context.delete(.pod, pod)
            }
            for _ in 0..<decision.podsToCreate {
                let pod = try await context.create(.pod, namespace: job.namespace, podFromTemplate(of: job))
                await context.event(
                    job, reason: "SuccessfulCreate", message: "Created pod: \(pod.name)", component: name)
            }
            state.pods = context.cache.owned(.pod, by: job.uid, namespace: job.namespace)
            try await context.updateStatus(.job, job, status: state.status(after: decision, now: now))
        } catch {
            // The next change or the requeue below tries again from the state then.
            return .requeue(after: .seconds(1))
        }
        switch decision.outcome {
        case .complete:
            await context.event(job, reason: "Completed", message: "Job completed", component: name)
            return .done
        case .failed(let reason, let message):
            await context.event(job, reason: reason, message: message, warning: true, component: name)
            return .done
        case .running(let deadline):
            if let deadline { return .requeue(after: max(deadline - now, .milliseconds(1))) }
            return .done
        case .suspended:
            return .done
        }
    }

    /// A pod of the Job: the template with the Job's labels, `generateName: <job>-` and the controller reference.
    func podFromTemplate(of job: JSONValue) -> JSONValue {
        let template = job[path: ["spec", "template"]] ?? .object([:])
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod"]
        pod.set(["metadata"], template["metadata"] ?? .object([:]))
        pod.set(["metadata", "name"], nil)
        pod.set(["metadata", "generateName"], .string(job.name + "-"))
        pod.set(["metadata", "namespace"], .string(job.namespace))
        var labels = pod.labels
        for (label, value) in Self.podLabels(of: job) { labels[label] = value }
        pod.labels = labels
        pod.ownerReferences = [OwnerReference(controllerOf: job, type: .job)]
        pod.set(["spec"], template["spec"] ?? .object([:]))
        return pod
    }

    /// The labels a Job's pods carry, and its default selector.
    static func podLabels(of job: JSONValue) -> [String: String] {
        [
            "batch.kubernetes.io/controller-uid": job.uid, "controller-uid": job.uid,
            "batch.kubernetes.io/job-name": job.name, "job-name": job.name,
        ]
    }
}
