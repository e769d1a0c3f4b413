/// The concepts `clusterbox explain` knows, Mesos first, then Kubernetes, then discovery and the comparison.
extension Concept {
    static let all: [Concept] = mesos + kubernetes + discovery

    static let mesos: [Concept] = [
        Concept(
            name: "offers", aliases: ["offer", "resource-offers", "two-level-scheduling"],
            title: "resource offers and two-level scheduling",
            text: """
                The master does not decide what runs. It offers an agent's free resources (cpus, mem, disk, ports)
                to one framework at a time; the framework launches tasks on part of the offer and declines the
                rest. A decline may carry a filter (refuse_seconds): the master keeps that agent from the framework
                for that long. REVIVE clears the filters, SUPPRESS stops offers. Level one (who gets resources) is
                the master's DRF allocator; level two (what to run on them) is the framework's scheduler.
                """,
            live: ["clusterbox offers --watch", "clusterbox tour 1"]),
        Concept(
            name: "drf", aliases: ["dominant-resource-fairness", "fairness", "shares"],
            title: "Dominant Resource Fairness",
            text: """
                A framework's dominant share is the largest fraction of any one resource it holds (3 of 9 CPUs and
                2 of 18 GB is a CPU share of 1/3). The allocator offers resources to the role, then the framework,
                with the lowest (weighted) dominant share, so each gets its fair share of the resource it needs
                most. In the DRF paper's example, 9 CPUs and 18 GB shared by tasks of ⟨1 CPU, 4 GB⟩ and
                ⟨3 CPU, 1 GB⟩ end with 3 and 2 tasks: both dominant shares at 2/3.
                """,
            live: ["clusterbox shares", "clusterbox tour 2"]),
        Concept(
            name: "framework", aliases: ["frameworks", "scheduler"],
            title: "a scheduler on top of the master",
            text: """
                A framework subscribes to the master (the Mesos v1 scheduler API: SUBSCRIBE, then ACCEPT, DECLINE,
                KILL, ACKNOWLEDGE…), receives offers and launches tasks. Marathon, the batch framework and the
                Kubernetes scheduler are frameworks here; so is anything written with pymesos. The master treats
                them alike: it only knows their role, their tasks and the resources they hold.
                """,
            live: ["clusterbox frameworks", "clusterbox tour 1"]),
        Concept(
            name: "agent", aliases: ["agents", "slave", "node"],
            title: "a machine's resources, and where tasks run",
            text: """
                An agent registers its resources with the master (cpus:2;mem:2048;disk:8192;ports:[31000-31499])
                and runs the tasks launched on it: as processes in their own cgroup and namespaces (process
                agents) or simulated in memory. Mesos' wire format still calls agents "slaves". Each agent is also
                a Kubernetes Node.
                """,
            live: ["clusterbox agents", "clusterbox kubectl -- get nodes"]),
        Concept(
            name: "task", aliases: ["tasks"],
            title: "the unit the master launches",
            text: """
                A task is a command with resources, launched by a framework on an offer. It moves through
                TASK_STAGING, TASK_STARTING, TASK_RUNNING to a terminal state (TASK_FINISHED, TASK_FAILED,
                TASK_KILLED, TASK_LOST…); every change is a status update the framework acknowledges. Marathon
                instances, batch runs and Kubernetes pods' containers are all tasks to the master.
                """,
            live: ["clusterbox run -- echo hello", "curl -s localhost:5050/master/tasks"]),
        Concept(
            name: "role", aliases: ["roles", "weight", "quota"],
            title: "who a framework's resources are counted for",
            text: """
                Frameworks subscribe with a role. DRF divides resources between roles first (by weighted dominant
                share), then between the frameworks of a role. An operator gives a role a weight (twice the weight:
                twice the share) and a quota (resources guaranteed before fair sharing).
                """,
            live: ["clusterbox role set batch --weight 2", "clusterbox shares"]),
        Concept(
            name: "marathon", aliases: ["app", "apps"],
            title: "the framework for long-running apps",
            text: """
                Marathon keeps N instances of an app running: it accepts offers that fit the app (cpus, mem, ports,
                constraints), health-checks the tasks, replaces the ones that end or fail their checks, scales, and
                rolls out new versions without dropping below minimumHealthCapacity. It is resource-oriented:
                it asks the master for resources and decides itself where each instance goes.
                """,
            live: ["clusterbox app list", "clusterbox tour 3"]),
    ]

    static let kubernetes: [Concept] = [
        Concept(
            name: "pod", aliases: ["pods"],
            title: "the unit Kubernetes schedules",
            text: """
                A pod is one or more containers that are scheduled together onto one node and share its fate. The
                Kubernetes scheduler (here a framework on the master) binds a pending pod to a node that fits its
                requests; the node runs it. A bare pod that is deleted or lost is gone: controllers are what bring
                pods back.
                """,
            live: ["clusterbox kubectl -- get pods -o wide", "clusterbox tour 4"]),
        Concept(
            name: "replicaset", aliases: ["replicasets", "rs"],
            title: "keeps N pods matching a selector",
            text: """
                A ReplicaSet's controller counts the pods its label selector matches and creates or deletes pods
                from its template until there are spec.replicas of them. It is level-triggered: it compares the
                world with the declaration on every change, so a deleted pod is replaced within milliseconds.
                Deployments make ReplicaSets; you rarely write one yourself.
                """,
            live: ["clusterbox kubectl -- get rs", "clusterbox tour 4"]),
        Concept(
            name: "replicationcontroller", aliases: ["replicationcontrollers", "rc"],
            title: "the ReplicaSet's predecessor",
            text: """
                A ReplicationController does what a ReplicaSet does, with an equality-only selector (app=web, no
                set expressions). Still served, and still healing: delete one of its pods and it makes another.
                """,
            live: ["clusterbox kubectl -- get rc", "clusterbox tour 4"]),
        Concept(
            name: "deployment", aliases: ["deployments", "deploy", "rolling-update", "rollout"],
            title: "versions of an app, rolled out gradually",
            text: """
                A Deployment owns ReplicaSets, one per version of its pod template. Changing the template makes a
                new ReplicaSet and moves replicas to it step by step: at most maxSurge extra pods, at most
                maxUnavailable missing (25% each by default). The old ReplicaSet stays at 0 replicas for rollback.
                """,
            live: ["clusterbox kubectl -- rollout status deploy/NAME", "clusterbox tour 4"]),
        Concept(
            name: "service", aliases: ["services", "svc"],
            title: "a stable name and address for a set of pods",
            text: """
                A Service selects pods by labels and gives them one cluster IP (from --service-range) and the DNS
                name NAME.NAMESPACE.svc.cluster.local. Connections to the cluster IP go round robin to the ready
                pods, which the Endpoints controller keeps listed.
                """,
            live: ["clusterbox kubectl -- get svc,ep", "clusterbox tour 6"]),
        Concept(
            name: "label", aliases: ["labels"],
            title: "key=value tags that tie objects together",
            text: """
                Labels are key=value pairs on any object (app=web, tier=frontend). Kubernetes has no hard links
                between a Service or a ReplicaSet and its pods: they find them through label selectors, each time
                they look. Relabel a pod and it leaves its ReplicaSet (which makes a new one) and its Service.
                """,
            live: ["clusterbox kubectl -- get pods --show-labels", "clusterbox tour 4"]),
        Concept(
            name: "selector", aliases: ["selectors", "label-selector"],
            title: "a query over labels",
            text: """
                A label selector picks objects by their labels: equality (app=web, tier!=db) or sets (env in
                (prod,staging), !canary). ReplicaSets, Deployments, Services and `kubectl get -l` all use them;
                the API filters lists and watches with ?labelSelector=.
                """,
            live: ["clusterbox kubectl -- get pods -l app=NAME", "clusterbox tour 4"]),
        Concept(
            name: "endpoints", aliases: ["endpoint", "endpointslice"],
            title: "the addresses behind a Service",
            text: """
                The Endpoints controller lists, for each Service, the address and port of every ready pod its
                selector matches (here 127.0.0.1 and the host port the offer gave the pod). The load balancer and
                DNS read them; a pod that stops being ready leaves them at once.
                """,
            live: ["clusterbox kubectl -- get endpoints", "clusterbox tour 6"]),
    ]

    static let discovery: [Concept] = [
        Concept(
            name: "dns", aliases: ["mesos-dns", "dig"],
            title: "names for tasks and services",
            text: """
                The cluster DNS answers Mesos-DNS names (TASK.marathon.mesos A records, _TASK._tcp.marathon.mesos
                SRV records with each task's port), virtual IP names (NAME.marathon.l4lb.thisdcos.directory) and
                Kubernetes names (SVC.NS.svc.cluster.local). It follows task updates as they happen, not by polling.
                """,
            live: ["clusterbox services", "clusterbox tour 5"]),
        Concept(
            name: "vip", aliases: ["vips", "virtual-ip", "load-balancer", "lb"],
            title: "one address, many tasks, round robin",
            text: """
                A virtual IP is an address in --vip-range (Marathon, label VIP_0: /NAME:PORT) or --service-range
                (Kubernetes Services) where the load balancer listens; each new connection goes to the next ready
                backend in turn. Tasks move; the VIP and its name stay.
                """,
            live: ["clusterbox services", "clusterbox tour 5"]),
        Concept(
            name: "mesos-vs-kubernetes", aliases: ["mesos", "kubernetes", "vs", "comparison"],
            title: "resource-oriented vs application-oriented",
            text: """
                Mesos is resource-oriented: a distributed kernel that divides resources (DRF) and offers them;
                frameworks decide what to run and keep it running. Kubernetes is application-oriented: you declare
                pods, ReplicaSets, Deployments and Services, labels tie them together, and controllers keep the
                world matching the declaration. Here Kubernetes runs as a framework on the Mesos-style master, so
                both can be watched on one cluster.
                """,
            live: ["clusterbox tour 6", "clusterbox shares"]),
    ]
}
