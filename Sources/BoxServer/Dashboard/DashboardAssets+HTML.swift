extension DashboardAssets {
    /// The page: one section per view; `dashboard.js` fills them from the event stream.
    static let indexHTML = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>clusterbox</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/dashboard/dashboard.css">
        </head>
        <body>
        <header>
          <h1>clusterbox</h1>
          <span id="summary">loading…</span>
          <span id="conn" class="conn off">connecting</span>
        </header>
        <main>
          <section id="resources" class="wide">
            <h2>Resources <small>used / offered / free per agent, by framework</small></h2>
            <div id="fw-legend" class="legend"></div>
            <div id="agent-summary" class="muted"></div>
            <div class="canvas-box"><canvas id="agents-canvas" role="img" aria-label="agents"></canvas>
              <div id="agent-tip" class="tip" hidden></div></div>
            <ul id="agent-list" class="sr-only"></ul>
          </section>
          <section id="drf">
            <h2>DRF <small>dominant share over the last 5 minutes</small></h2>
            <svg id="drf-chart" viewBox="0 0 600 170" preserveAspectRatio="none" role="img" aria-label="dominant shares"></svg>
            <table id="drf-table"></table>
          </section>
          <section id="offers">
            <h2>Offers <small>live</small></h2>
            <ol id="offer-list" class="stream"></ol>
          </section>
          <section id="tasks" class="wide">
            <h2>Tasks <small>by state and agent</small></h2>
            <div id="task-states" class="chips"></div>
            <div id="task-agents" class="muted"></div>
            <input id="task-filter" type="search" placeholder="filter: task, app, agent, state, framework">
            <table id="task-table"></table>
          </section>
          <section id="marathon">
            <h2>Marathon <small>apps, deployments, health</small></h2>
            <table id="app-table"></table>
          </section>
          <section id="services">
            <h2>Services <small>DNS, VIPs, endpoints, load balancer</small></h2>
            <table id="service-table"></table>
          </section>
          <section id="kubernetes" class="wide">
            <h2>Kubernetes <small>ownership trees; click a label to filter</small></h2>
            <div class="selector">selector <input id="selector" placeholder="app=web,tier=front">
              <button id="selector-clear" type="button">clear</button></div>
            <div id="kube-trees"></div>
          </section>
          <section id="timeline" class="wide">
            <h2>Timeline <small>the cluster in sentences</small></h2>
            <div id="components" class="chips"></div>
            <ol id="timeline-list" class="stream"></ol>
          </section>
        </main>
        <script src="/dashboard/dashboard.js"></script>
        </body>
        </html>

        """#
}
