/// The keys the Python client `marathon` 0.13.0 accepts in each response object, copied from
/// `../shared/reference/marathon-api.md` §4–§8 (one unknown key makes the client raise `TypeError`).
enum ClientKeys {
    static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    static let app = words(
        """
        acceptedResourceRoles args backoffFactor backoffSeconds cmd constraints container cpus
        dependencies deployments disk env executor fetch gpus healthChecks id instances ipAddress
        killSelection labels lastTaskFailure maxLaunchDelaySeconds mem networks portDefinitions
        ports readinessCheckResults readinessChecks requirePorts residency role secrets storeUrls
        taskKillGracePeriodSeconds taskRateLimit taskStats tasks tasksHealthy tasksRunning
        tasksStaged tasksUnhealthy unreachableStrategy upgradeStrategy uris user version versionInfo
        """)
    static let upgradeStrategy = words("minimumHealthCapacity maximumOverCapacity")
    static let versionInfo = words("lastScalingAt lastConfigChangeAt")
    static let portDefinition = words("port protocol name labels")
    static let lastTaskFailure = words("appId host message state taskId instanceId slaveId timestamp version")
    static let taskStats = words("startedAfterLastScaling withLatestConfig withOutdatedConfig totalSummary")
    static let taskStatsCounts = words("staged running healthy unhealthy")
    static let taskStatsLifeTime = words("averageSeconds medianSeconds")

    static let task = words(
        """
        appId healthCheckResults host id ipAddresses localVolumes
        ports region role servicePorts slaveId stagedAt startedAt state version zone
        """)
    static let healthCheckResult = words(
        "alive consecutiveFailures firstSuccess lastFailure lastFailureCause lastSuccess taskId instanceId")
    static let ipAddress = words("ipAddress protocol")

    static let deployment = words("affectedApps affectedPods currentActions currentStep id steps totalSteps version")
    static let deploymentAction = words("action app apps pod readinessCheckResults type")
    static let plan = words("id version original target steps")
    static let group = words("id apps groups pods dependencies version")

    static let info = words(
        "buildref elected event_subscriber frameworkId http_config leader marathon_config name version zookeeper_config"
    )
    static let httpConfig = words("assets_path http_port https_port")
    static let zookeeperConfig = words(
        """
        zk zk_hosts zk_path zk_state zk_timeout zk_session_timeout zk_max_versions zk_future_timeout
        zk_connection_timeout zk_compression zk_compression_threshold zk_max_node_size
        """)
    static let marathonConfig = words(
        """
        master framework_name hostname local_port_min local_port_max failover_timeout checkpoint executor ha
        mesos_role mesos_user webui_url features decline_offer_duration mesos_heartbeat_interval
        access_control_allow_origin default_network_name
        env_vars_prefix launch_token launch_token_refresh_interval leader_proxy_connection_timeout_ms
        leader_proxy_read_timeout_ms maintenance_mode marathon_store_timeout max_instances_per_offer
        mesos_bridge_name mesos_heartbeat_failure_threshold mesos_leader_ui_url min_revive_offers_interval
        new_group_enforce_role offer_matching_timeout on_elected_prepare_timeout reconciliation_initial_delay
        reconciliation_interval revive_offers_for_new_apps revive_offers_repetitions scale_apps_initial_delay
        scale_apps_interval store_cache task_launch_confirm_timeout task_launch_timeout
        task_lost_expunge_initial_delay task_lost_expunge_interval task_reservation_timeout
        """)
    static let queueItem = words("app count delay since overdue processedOffersSummary lastUnusedOffers")
    static let queueDelay = words("timeLeftSeconds overdue")
}
