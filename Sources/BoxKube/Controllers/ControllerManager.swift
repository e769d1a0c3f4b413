public import BoxCore
public import Logging

/// Runs controllers: one list-and-watch per watched type feeding a shared `ObjectCache`, and per controller a work
/// queue of keys with workers that reconcile them. A watch that ends or expires lists again.
public final class ControllerManager: Sendable {
    public let context: ControllerContext
    let controllers: [any Controller]
    let logger: Logger
    let workersPerController: Int

    public init(
        api: KubeAPI, controllers: [any Controller], clock: any ClusterClock, logger: Logger,
        workersPerController: Int = 2
    ) {
        self.context = ControllerContext(api: api, cache: ObjectCache(), clock: clock)
        self.controllers = controllers
        self.logger = logger
        self.workersPerController = workersPerController
    }

    /// Runs until cancelled.
    public func run() async {
        let queues = controllers.map { _ in WorkQueue() }
        var types: [ResourceType] = []
        for controller in controllers {
            for type in controller.watches where !types.contains(type) { types.append(type) }
        }
        await withDiscardingTaskGroup { group in
            for type in types {
                group.addTask { await self.inform(type, queues: queues) }
            }
            for (index, controller) in controllers.enumerated() {
                let queue = queues[index]
                let (requeues, requeue) = AsyncStream.makeStream(of: (ObjectName, Duration).self)
                for _ in 0..<workersPerController {
                    group.addTask { await self.work(controller, queue: queue, requeue: requeue) }
                }
                group.addTask {
                    // Requeues wait in child tasks of the manager, so cancelling it ends them too.
                    await withDiscardingTaskGroup { waits in
                        for await (key, delay) in requeues {
                            waits.addTask {
                                if (try? await self.context.clock.sleep(for: delay)) != nil { queue.add(key) }
                            }
                        }
                        waits.cancelAll()
                    }
                }
                group.addTask {
                    await withTaskCancellationHandler {
                        while !Task.isCancelled { try? await self.context.clock.sleep(for: .seconds(3600)) }
                    } onCancel: {
                        requeue.finish()
                    }
                }
                if let resync = controller.resync {
                    group.addTask {
                        while (try? await self.context.clock.sleep(for: resync.interval)) != nil {
                            for object in self.context.cache.list(resync.type) {
                                queue.add(ObjectName(of: object))
                            }
                        }
                    }
                }
            }
            group.addTask {
                // Ends the queues when the manager is cancelled, so the workers return.
                while (try? await self.context.clock.sleep(for: .seconds(3600))) != nil {}
                for queue in queues { queue.shutDown() }
            }
        }
    }

    private func wake(_ object: JSONValue, _ type: ResourceType, queues: [WorkQueue]) {
        for (index, controller) in controllers.enumerated() where controller.watches.contains(type) {
            for key in controller.keys(for: object, of: type, cache: context.cache) { queues[index].add(key) }
        }
    }

    private func inform(_ type: ResourceType, queues: [WorkQueue]) async {
        while !Task.isCancelled {
            do {
                let list = try await context.api.list(type, namespace: nil)
                context.cache.replace(type, with: list.items)
                for object in list.items { wake(object, type, queues: queues) }
                let stream = try await context.api.watch(
                    type, namespace: nil, options: ListOptions(resourceVersion: list.resourceVersion))
                for try await event in stream {
                    switch event.kind {
                    case .added, .modified:
                        // Woken even when the cache already holds this version: it may have come from a write of
                        // the manager's own context, which the other controllers have not seen yet.
                        context.cache.put(type, event.object)
                        wake(event.object, type, queues: queues)
                    case .deleted:
                        context.cache.remove(type, event.object)
                        wake(event.object, type, queues: queues)
                    case .bookmark: continue
                    case .error: break
                    }
                }
            } catch {
                logger.debug("watch of \(type) ended: \(error); listing again")
            }
            try? await context.clock.sleep(for: .milliseconds(100))
        }
    }

    private func work(
        _ controller: any Controller, queue: WorkQueue, requeue: AsyncStream<(ObjectName, Duration)>.Continuation
    ) async {
        while let key = await queue.next() {
            let result = await controller.reconcile(key, context: context)
            queue.done(key)
            if case .requeue(let delay) = result { requeue.yield((key, delay)) }
        }
    }
}
