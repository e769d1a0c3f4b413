enum ClientBodies {
    /// `create_app` as captured (§12), with a label added.
    static let create = #"""
        {"backoffFactor":1.15,"backoffSeconds":1,"cmd":"python3 -m http.server $PORT0","constraints":[["hostname","UNIQUE"],
        ["rack","MAX_PER",2]],"cpus":0.1,"env":{"A":"b"},"healthChecks":[{"gracePeriodSeconds":30,
        "intervalSeconds":10,"maxConsecutiveFailures":3,"path":"/","portIndex":0,"protocol":"HTTP",
        "timeoutSeconds":5},{"command":{"value":"true"},"protocol":"COMMAND"}],"id":"/web","instances":2,
        "labels":{"team":"x"},"maxLaunchDelaySeconds":300,"mem":32,"portDefinitions":[{"name":"http","port":0,
        "protocol":"tcp"}],"upgradeStrategy":{"maximumOverCapacity":0.2,"minimumHealthCapacity":0.5}}
        """#
}

extension ClientBodies {
    /// What `update_app` sent back after `get_app` of our own answer (captured from marathon 0.13.0 models with
    /// version blanked, as update_app does): read-only keys, six-digit fractions and the dict form of commands.
    static let updateFromGet = #"""
        {"backoffFactor": 1.15, "backoffSeconds": 1, "cmd": "python3 -m http.server $PORT0",\#
        "constraints": [["hostname", "UNIQUE"], ["rack", "MAX_PER", "2"], ["rack", "CLUSTER"]], "cpus": 0.1,\#
        "deployments": [{"id": "d-1"}], "disk": 0, "env": {"A": "b"}, "gpus": 0,\#
        "healthChecks": [{"delaySeconds": 15, "gracePeriodSeconds": 30, "ignoreHttp1xx": false,\#
        "intervalSeconds": 10, "ipProtocol": "IPv4", "maxConsecutiveFailures": 3, "path": "/", "portIndex": 0,\#
        "protocol": "HTTP", "timeoutSeconds": 5}, {"command": {"value": "true"}, "delaySeconds": 15,\#
        "gracePeriodSeconds": 300, "intervalSeconds": 60, "maxConsecutiveFailures": 3, "protocol": "COMMAND",\#
        "timeoutSeconds": 20}], "id": "/web", "instances": 2, "killSelection": "YOUNGEST_FIRST",\#
        "labels": {"team": "x"}, "lastTaskFailure": {"appId": "/web", "host": "127.0.0.1",\#
        "instanceId": "web.instance-0", "message": "Command exited with status 1", "slaveId": "A-S0",\#
        "state": "TASK_FAILED", "taskId": "web.instance-0._app.1", "timestamp": "2026-01-02T03:04:05.678000Z",\#
        "version": "2026-01-02T03:04:05.678Z"}, "maxLaunchDelaySeconds": 300, "mem": 32,\#
        "networks": [{"mode": "host"}], "portDefinitions": [{"labels": {"VIP_0": "/web:80"}, "name": "http",\#
        "port": 10000, "protocol": "tcp"}], "requirePorts": false, "taskKillGracePeriodSeconds": 3,\#
        "taskStats": {"startedAfterLastScaling": {"stats": {"counts": {"healthy": 0, "running": 1, "staged": 1,\#
        "unhealthy": 0}, "lifeTime": {"averageSeconds": 60, "medianSeconds": 60}}},\#
        "totalSummary": {"stats": {"counts": {"healthy": 0, "running": 1, "staged": 1, "unhealthy": 0},\#
        "lifeTime": {"averageSeconds": 60, "medianSeconds": 60}}},\#
        "withLatestConfig": {"stats": {"counts": {"healthy": 0, "running": 1, "staged": 0, "unhealthy": 0},\#
        "lifeTime": {"averageSeconds": 60, "medianSeconds": 60}}},\#
        "withOutdatedConfig": {"stats": {"counts": {"healthy": 0, "running": 0, "staged": 1, "unhealthy": 0}}}},\#
        "tasks": [{"appId": "/web", "healthCheckResults": [{"alive": true, "consecutiveFailures": 0,\#
        "firstSuccess": "2026-01-02T03:04:05.678000Z", "instanceId": "web.instance-5f1c0d2e",\#
        "lastSuccess": "2026-01-02T03:05:05.678000Z", "taskId": "web.instance-5f1c0d2e._app.1"}],\#
        "host": "127.0.0.1", "id": "web.instance-5f1c0d2e._app.1", "ipAddresses": [{"ipAddress": "127.0.0.1",\#
        "protocol": "IPv4"}], "ports": [31002], "role": "*", "servicePorts": [10000], "slaveId": "A-S0",\#
        "stagedAt": "2026-01-02T03:04:05.678000Z", "startedAt": "2026-01-02T03:04:05.678000Z",\#
        "state": "TASK_RUNNING", "version": "2026-01-02T03:04:05.678Z", "zone": "z1"}, {"appId": "/web",\#
        "host": "node-2", "id": "web.instance-77aa._app.1", "ports": [31005, 31006], "role": "*",\#
        "servicePorts": [10000, 0], "slaveId": "A-S1", "stagedAt": "2026-01-02T03:05:05.678000Z",\#
        "state": "TASK_STAGING", "version": "2026-01-02T03:04:04.678Z"}], "tasksHealthy": 0, "tasksRunning": 1,\#
        "tasksStaged": 1, "tasksUnhealthy": 0, "upgradeStrategy": {"maximumOverCapacity": 0.2,\#
        "minimumHealthCapacity": 0.5}, "user": "nobody",\#
        "versionInfo": {"lastConfigChangeAt": "2026-01-02T03:04:05.678000Z",\#
        "lastScalingAt": "2026-01-02T03:04:05.678000Z"}}
        """#
}

enum Messages {
    static let portIndex =
        "Health check port indices must address an element of the ports array or container port mappings."
    static let noCommand = "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."
    static let operators =
        "Constraint operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER or IS"
}
