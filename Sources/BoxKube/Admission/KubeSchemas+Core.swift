/// The other core kinds: Service, ReplicationController, Namespace, Node, Endpoints, Event, ConfigMap, Secret,
/// ServiceAccount.
extension KubeSchemas {
    private static let c = "io.k8s.api.core.v1."

    static let core: [Schema] = [
        Schema(
            c + "Service", "A named abstraction of software service (a port and a set of pods).",
            kindFields(["spec": .core("ServiceSpec"), "status": .core("ServiceStatus")])),
        Schema(
            c + "ServiceSpec", "The attributes a user creates on a service.",
            [
                "ports": .array(.core("ServicePort")) ~ "The list of ports exposed by this service.",
                "selector": .stringMap
                    ~ "Route service traffic to pods with label keys and values matching this selector.",
                "clusterIP": "The IP address of the service.", "clusterIPs": .strings,
                "type": "ClusterIP, NodePort, LoadBalancer or ExternalName.", "externalIPs": .strings,
                "sessionAffinity": "ClientIP or None.", "loadBalancerIP": .string,
                "loadBalancerSourceRanges": .strings, "externalName": .string, "externalTrafficPolicy": .string,
                "healthCheckNodePort": .integer, "publishNotReadyAddresses": .boolean,
                "sessionAffinityConfig": .core("SessionAffinityConfig"), "ipFamilies": .strings,
                "ipFamilyPolicy": .string, "allocateLoadBalancerNodePorts": .boolean, "loadBalancerClass": .string,
                "internalTrafficPolicy": .string, "trafficDistribution": .string,
            ]),
        Schema(
            c + "ServicePort", "Information on a service's port.",
            [
                "name": .string, "protocol": .string, "appProtocol": .string,
                "port": .integer ~ "The port that will be exposed by this service.",
                "targetPort": .intOrString ~ "Number or name of the port to access on the pods.",
                "nodePort": .integer,
            ], required: ["port"]),
        Schema(
            c + "SessionAffinityConfig", "Session affinity configuration.", ["clientIP": .core("ClientIPConfig")]),
        Schema(c + "ClientIPConfig", "ClientIP session affinity configuration.", ["timeoutSeconds": .integer]),
        Schema(
            c + "ServiceStatus", "The current status of a service.",
            ["loadBalancer": .core("LoadBalancerStatus"), "conditions": .array(.meta("Condition"))]),
        Schema(
            c + "LoadBalancerStatus", "The status of a load balancer.",
            ["ingress": .array(.core("LoadBalancerIngress"))]),
        Schema(
            c + "LoadBalancerIngress", "A load balancer ingress point.",
            ["ip": .string, "hostname": .string, "ipMode": .string, "ports": .array(.core("PortStatus"))]),
        Schema(c + "PortStatus", "The status of a port.", ["port": .integer, "protocol": .string, "error": .string]),
        Schema(
            c + "ReplicationController",
            "ReplicationController represents the configuration of a replication controller.",
            kindFields(["spec": .core("ReplicationControllerSpec"), "status": .core("ReplicationControllerStatus")])),
        Schema(
            c + "ReplicationControllerSpec", "The specification of a replication controller.",
            [
                "replicas": .integer ~ "The number of desired replicas.", "minReadySeconds": .integer,
                "selector": .stringMap ~ "A label query over pods that should match the replicas count.",
                "template": .core("PodTemplateSpec"),
            ]),
        Schema(
            c + "ReplicationControllerStatus", "The current status of a replication controller.",
            [
                "replicas": .integer, "fullyLabeledReplicas": .integer, "readyReplicas": .integer,
                "availableReplicas": .integer, "observedGeneration": .integer,
                "conditions": .array(.core("ReplicationControllerCondition")),
            ]),
        Schema(
            c + "ReplicationControllerCondition", "The state of a replication controller.",
            ["type": .string, "status": .string, "lastTransitionTime": .time, "reason": .string, "message": .string]),
        Schema(
            c + "Namespace", "Namespace provides a scope for Names.",
            kindFields(["spec": .core("NamespaceSpec"), "status": .core("NamespaceStatus")])),
        Schema(c + "NamespaceSpec", "The attributes of a namespace.", ["finalizers": .strings]),
        Schema(
            c + "NamespaceStatus", "The status of a namespace.",
            ["phase": "Active or Terminating.", "conditions": .array(.core("NamespaceCondition"))]),
        Schema(
            c + "NamespaceCondition", "The state of a namespace.",
            ["type": .string, "status": .string, "lastTransitionTime": .time, "reason": .string, "message": .string]),
        Schema(
            c + "Node", "Node is a worker node in Kubernetes.",
            kindFields(["spec": .core("NodeSpec"), "status": .core("NodeStatus")])),
        Schema(
            c + "NodeSpec", "The attributes of a node.",
            [
                "podCIDR": .string, "podCIDRs": .strings, "providerID": .string, "unschedulable": .boolean,
                "taints": .array(.core("Taint")), "configSource": .free, "externalID": .string,
            ]),
        Schema(
            c + "Taint", "A taint on a node.",
            ["key": .string, "value": .string, "effect": .string, "timeAdded": .time]),
        Schema(
            c + "NodeStatus", "The current status of a node.",
            [
                "capacity": .quantities, "allocatable": .quantities, "phase": .string,
                "conditions": .array(.core("NodeCondition")), "addresses": .array(.core("NodeAddress")),
                "daemonEndpoints": .core("NodeDaemonEndpoints"), "nodeInfo": .core("NodeSystemInfo"),
                "images": .array(.core("ContainerImage")), "volumesInUse": .strings, "volumesAttached": .array(.free),
                "config": .free, "runtimeHandlers": .array(.free), "features": .free, "declaredFeatures": .strings,
            ]),
        Schema(
            c + "NodeCondition", "The condition of a node.",
            [
                "type": .string, "status": .string, "lastHeartbeatTime": .time, "lastTransitionTime": .time,
                "reason": .string, "message": .string,
            ]),
        Schema(c + "NodeAddress", "An address of a node.", ["type": .string, "address": .string]),
        Schema(
            c + "NodeDaemonEndpoints", "Ports of daemons on the node.", ["kubeletEndpoint": .core("DaemonEndpoint")]),
        Schema(c + "DaemonEndpoint", "A daemon's port.", ["Port": .integer]),
        Schema(
            c + "NodeSystemInfo", "Information about the node.",
            [
                "machineID": .string, "systemUUID": .string, "bootID": .string, "kernelVersion": .string,
                "osImage": .string, "containerRuntimeVersion": .string, "kubeletVersion": .string,
                "kubeProxyVersion": .string, "operatingSystem": .string, "architecture": .string, "swap": .free,
            ]),
        Schema(c + "ContainerImage", "A container image on the node.", ["names": .strings, "sizeBytes": .integer]),
        Schema(
            c + "Endpoints", "The addresses that implement a service.",
            kindFields(["subsets": .array(.core("EndpointSubset"))])),
        Schema(
            c + "EndpointSubset", "A group of addresses with a common set of ports.",
            [
                "addresses": .array(.core("EndpointAddress")), "notReadyAddresses": .array(.core("EndpointAddress")),
                "ports": .array(.core("EndpointPort")),
            ]),
        Schema(
            c + "EndpointAddress", "A single IP address.",
            ["ip": .string, "hostname": .string, "nodeName": .string, "targetRef": .core("ObjectReference")]),
        Schema(
            c + "EndpointPort", "A port used by an endpoint.",
            ["name": .string, "port": .integer, "protocol": .string, "appProtocol": .string]),
        Schema(
            c + "ObjectReference", "A reference to an object.",
            [
                "kind": .string, "namespace": .string, "name": .string, "uid": .string, "apiVersion": .string,
                "resourceVersion": .string, "fieldPath": .string,
            ]),
        Schema(
            c + "Event", "Event is a report of an event somewhere in the cluster.",
            kindFields([
                "involvedObject": .core("ObjectReference"), "reason": .string, "message": .string,
                "source": .core("EventSource"), "firstTimestamp": .time, "lastTimestamp": .time, "count": .integer,
                "type": "Normal or Warning.", "eventTime": .meta("MicroTime"), "series": .core("EventSeries"),
                "action": .string, "related": .core("ObjectReference"), "reportingComponent": .string,
                "reportingInstance": .string,
            ])),
        Schema(c + "EventSource", "The source of an event.", ["component": .string, "host": .string]),
        Schema(
            c + "EventSeries", "A series of events.", ["count": .integer, "lastObservedTime": .meta("MicroTime")]),
        Schema(
            c + "ConfigMap", "ConfigMap holds configuration data for pods to consume.",
            kindFields(["data": .stringMap, "binaryData": .stringMap, "immutable": .boolean])),
        Schema(
            c + "Secret", "Secret holds secret data of a certain type.",
            kindFields(["data": .stringMap, "stringData": .stringMap, "type": .string, "immutable": .boolean])),
        Schema(
            c + "ServiceAccount", "ServiceAccount binds together a name, secrets and image pull secrets.",
            kindFields([
                "secrets": .array(.core("ObjectReference")), "imagePullSecrets": .array(.core("LocalObjectReference")),
                "automountServiceAccountToken": .boolean,
            ])),
    ]
}
