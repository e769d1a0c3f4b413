extension DashboardAssets {
    /// The script: reads `/dashboard/v1/events` (a snapshot, then deltas at most every 100 ms), keeps the state in
    /// plain objects and redraws only the sections a frame touched, once per animation frame. The agents are one
    /// canvas (1,000 agents × 4 bars would be 20,000 elements); tasks show as counts and at most 200 rows.
    /// `document.body.dataset.rendered` is set (to `performance.now()`) once the first snapshot is on screen, and
    /// `window.clusterbox.latencies` holds, per frame with task changes, the milliseconds from the earliest cluster
    /// event in it to its rows being in the DOM: the tests and the benchmark read both.
    static let script = #"""
        "use strict";
        (() => {
          const MAX_TIMELINE = 400, MAX_OFFERS = 150, MAX_TASK_ROWS = 200, HISTORY_SECONDS = 300;
          const PALETTE = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#84cc16",
            "#f97316", "#6366f1", "#06b6d4", "#a855f7"];
          const RESOURCES = ["cpus", "mem", "disk", "ports"];
          const S = {
            frameworks: [], colors: new Map(), agents: new Map(), tasks: new Map(), apps: [], kube: [],
            services: [], timeline: [], offers: [], total: [0, 0, 0, 0], history: [], components: new Map(),
            selector: {}, taskFilter: "", latencies: [], latencyParts: [], timings: {}, frames: 0, connected: false, layout: null,
            changedAgents: null, marks: { script: performance.now() },
          };
          window.clusterbox = S;
          const $ = (id) => document.getElementById(id);
          const dirty = new Set();
          let scheduled = false, pendingEvent = null;

          const esc = (v) => String(v).replace(/[&<>"']/g, (c) =>
            ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
          const clock = (t) => new Date(t * 1000).toLocaleTimeString([], { hour12: false });
          const pct = (x) => (100 * x).toFixed(1) + "%";
          function amount(r, v) {
            if (r === 0) { const n = v / 1000; return Number.isInteger(n) ? String(n) : String(+n.toFixed(2)); }
            if (r === 1 || r === 2) return v >= 1024 ? (v / 1024).toFixed(1).replace(/\.0$/, "") + " GiB" : v + " MiB";
            return String(v);
          }
          function color(id) {
            if (!S.colors.has(id)) S.colors.set(id, PALETTE[S.colors.size % PALETTE.length]);
            return S.colors.get(id);
          }
          const fwName = (id) => (S.frameworks.find((f) => f.id === id) || { name: id }).name;
          const agentName = (id) => (S.agents.get(id) || { hostname: id }).hostname;

          function mark(...names) {
            for (const n of names) dirty.add(n);
            if (!scheduled) { scheduled = true; requestAnimationFrame(render); }
          }

          // MARK: state

          function applySnapshot(s) {
            S.frameworks = s.frameworks; S.total = s.total;
            for (const f of s.frameworks) color(f.id);
            S.agents = new Map(s.agents.map((a) => [a.id, a]));
            S.changedAgents = null;
            S.tasks = new Map(s.tasks.map((t) => [t.key, t]));
            S.apps = s.apps; S.kube = s.kube; S.services = s.services;
            S.timeline = s.timeline.slice(-MAX_TIMELINE);
            for (const line of S.timeline) component(line.component);
            sample(s.time);
            mark("agents", "drf", "tasks", "apps", "kube", "services", "timeline", "offers", "summary");
          }

          function applyDelta(d) {
            if (d.total) S.total = d.total;
            if (d.frameworks) {
              if (d.frameworks.map((f) => f.id).join() !== S.frameworks.map((f) => f.id).join()) S.changedAgents = null;
              S.frameworks = d.frameworks;
              for (const f of d.frameworks) color(f.id);
              sample(d.time);
              mark("drf", "agents");
            }
            if (d.agents.length || d.removed_agents.length) {
              for (const a of d.agents) {
                if (S.changedAgents && S.agents.has(a.id)) S.changedAgents.add(a.id); else S.changedAgents = null;
                S.agents.set(a.id, a);
              }
              for (const id of d.removed_agents) { S.agents.delete(id); S.changedAgents = null; }
              mark("agents", "summary");
            }
            if (d.tasks.length || d.removed_tasks.length) {
              for (const t of d.tasks) { S.tasks.delete(t.key); S.tasks.set(t.key, t); }
              for (const key of d.removed_tasks) S.tasks.delete(key);
              if (d.first_event && (pendingEvent === null || d.first_event < pendingEvent.event)) {
                pendingEvent = { event: d.first_event, built: d.time, received: Date.now() };
              }
              mark("tasks", "summary");
            }
            if (d.apps) { S.apps = d.apps; mark("apps"); }
            if (d.kube) { S.kube = d.kube; mark("kube"); }
            if (d.services) { S.services = d.services; mark("services"); }
            if (d.timeline.length) {
              for (const line of d.timeline) { component(line.component); S.timeline.push(line); }
              if (S.timeline.length > MAX_TIMELINE) S.timeline.splice(0, S.timeline.length - MAX_TIMELINE);
              mark("timeline");
            }
            if (d.offers.length) {
              S.offers.push(...d.offers);
              if (S.offers.length > MAX_OFFERS) S.offers.splice(0, S.offers.length - MAX_OFFERS);
              mark("offers");
            }
          }

          function component(name) {
            if (!S.components.has(name)) { S.components.set(name, true); mark("components"); }
          }

          /// One point of the DRF chart per framework update, and one a second so lines run on while idle.
          function sample(time) {
            const shares = {};
            for (const f of S.frameworks) shares[f.id] = f.dominant_share;
            S.history.push({ t: time, shares });
            const cut = time - HISTORY_SECONDS;
            while (S.history.length > 2 && S.history[0].t < cut) S.history.shift();
          }

          // MARK: render

          function render() {
            scheduled = false;
            const names = [...dirty]; dirty.clear();
            for (const n of names) {
              const started = performance.now();
              try { RENDER[n](); } catch (e) { console.warn("render " + n, e); }
              S.timings[n] = performance.now() - started;
            }
            if (pendingEvent !== null) {
              // Event → frame built (server), → frame received (network, parse), → on screen (this frame).
              const now = Date.now(), p = pendingEvent;
              S.latencies.push(now - p.event * 1000);
              S.latencyParts.push([p.built * 1000 - p.event * 1000, p.received - p.built * 1000, now - p.received]);
              if (S.latencies.length > 1000) { S.latencies.shift(); S.latencyParts.shift(); }
              pendingEvent = null;
            }
            if (!document.body.dataset.rendered && S.frames > 0) {
              document.body.dataset.rendered = performance.now().toFixed(1);
            }
          }

          const RENDER = {
            summary() {
              let active = 0;
              for (const a of S.agents.values()) if (a.active) active++;
              $("summary").textContent = `${S.agents.size} agents (${active} active) · ${S.frameworks.length} frameworks · ` +
                `${S.tasks.size} tasks · ${S.apps.length} Marathon apps · ${S.services.length} services`;
            },
            agents: renderAgents,
            drf: renderDRF,
            offers() {
              const rows = [];
              for (let i = S.offers.length - 1; i >= 0 && rows.length < 100; i--) {
                const o = S.offers[i];
                rows.push(`<li class="k-${esc(o.kind)}"><time>${clock(o.time)}</time><b>${esc(o.kind)}</b> ${esc(o.text)}</li>`);
              }
              $("offer-list").innerHTML = rows.join("") || `<li class="muted">no offers yet</li>`;
            },
            tasks: renderTasks,
            apps: renderApps,
            services: renderServices,
            kube: renderKube,
            components() {
              $("components").innerHTML = [...S.components.entries()].sort().map(([name, on]) =>
                `<label class="chip ${on ? "" : "offc"}" data-component="${esc(name)}">${esc(name)}</label>`).join("");
            },
            timeline() {
              const rows = [];
              for (let i = S.timeline.length - 1; i >= 0 && rows.length < 300; i--) {
                const l = S.timeline[i];
                if (S.components.get(l.component) === false) continue;
                rows.push(`<li><time>${clock(l.time)}</time><span class="comp">${esc(l.component)}</span>${esc(l.text)}</li>`);
              }
              $("timeline-list").innerHTML = rows.join("") || `<li class="muted">nothing yet</li>`;
            },
          };

          // Agents: one canvas, one cell per agent with four bars (cpus, mem, disk, ports): each framework's use in
          // its colour, its offers in its colour faded, free in grey. A frame that changes a few agents redraws
          // only their cells; a new agent, a new framework or a resize redraws all.
          const CELL_W = 150, CELL_H = 46, BAR_X = 4, BAR_H = 6, BAR_W = CELL_W - 12;
          function renderAgents() {
            const canvas = $("agents-canvas");
            // Read once and on resize: reading layout here, after other sections wrote to the DOM, would force a
            // layout of the whole page in the middle of the frame.
            if (!S.boxWidth) S.boxWidth = canvas.parentElement.clientWidth;
            const width = Math.max(CELL_W, S.boxWidth - 2);
            const cols = Math.max(1, Math.floor(width / CELL_W));
            const ids = [...S.agents.keys()];
            const order = S.frameworks.map((f) => f.id).join(",");
            const L = S.layout;
            const same = L && L.cols === cols && L.width === width && L.order === order && L.ids.length === ids.length &&
              L.ids.every((id, i) => id === ids[i]);
            const ctx = canvas.getContext("2d");
            if (!same || S.changedAgents === null) {
              const rows = Math.max(1, Math.ceil(ids.length / cols));
              canvas.width = width; canvas.height = rows * CELL_H;
              canvas.style.width = width + "px"; canvas.style.height = rows * CELL_H + "px";
              S.layout = { cols, width, order, ids, index: new Map(ids.map((id, i) => [id, i])) };
              drawCells(ctx, ids.map((id, i) => i));
              $("agent-list").innerHTML = ids.map((id) => `<li data-agent="${esc(id)}">${listText(S.agents.get(id))}</li>`).join("");
            } else {
              const cells = [];
              for (const id of S.changedAgents) {
                const i = S.layout.index.get(id);
                if (i === undefined) continue;
                cells.push(i);
                const li = $("agent-list").children[i];
                if (li) li.innerHTML = listText(S.agents.get(id));
              }
              drawCells(ctx, cells);
            }
            S.changedAgents = new Set();
            canvas.dataset.agents = String(ids.length);
            const sums = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
            for (const a of S.agents.values()) {
              for (let r = 0; r < 4; r++) {
                for (const v of Object.values(a.used)) sums[0][r] += v[r];
                for (const v of Object.values(a.offered)) sums[1][r] += v[r];
                sums[2][r] += a.total[r];
              }
            }
            $("agent-summary").textContent = "bars per agent: cpus, mem, disk, ports · " + [0, 1, 3].map((r) =>
              `${RESOURCES[r]} ${amount(r, sums[0][r])} used, ${amount(r, sums[1][r])} offered, ` +
              `${amount(r, Math.max(0, sums[2][r] - sums[0][r] - sums[1][r]))} free of ${amount(r, sums[2][r])}`).join(" · ");
            $("fw-legend").innerHTML = S.frameworks.map((f) =>
              `<span><i class="swatch" style="background:${color(f.id)}"></i>${esc(f.name)}</span>`).join("") +
              `<span class="muted"><i class="swatch" style="background:#3b82f6;opacity:.35"></i>offered (faded)</span>` +
              `<span class="muted"><i class="swatch" style="background:#e9ecf1"></i>free</span>`;
          }

          /// Draws the cells at the given positions: names first, then the bars grouped by colour (fewer state
          /// changes of the context, which is what costs with 1,000 cells).
          function drawCells(ctx, cells) {
            const cols = S.layout.cols, ids = S.layout.ids, frameworks = S.frameworks.map((f) => f.id);
            ctx.font = "11px system-ui, sans-serif";
            ctx.textBaseline = "alphabetic";
            const runs = new Map();  // fillStyle + alpha → rectangles
            const add = (style, rect) => { if (!runs.has(style)) runs.set(style, []); runs.get(style).push(rect); };
            for (const i of cells) {
              const a = S.agents.get(ids[i]);
              const x = (i % cols) * CELL_W, y = Math.floor(i / cols) * CELL_H;
              ctx.clearRect(x, y, CELL_W, CELL_H);
              ctx.fillStyle = a.active ? "#1d2330" : "#a94442";
              ctx.fillText((a.hostname + (a.active ? "" : " (unreachable)")).slice(0, 26), x + BAR_X, y + 11);
              for (let r = 0; r < 4; r++) {
                const by = y + 15 + r * 7, total = a.total[r];
                add("#e9ecf1|1", [x + BAR_X, by, BAR_W, BAR_H]);
                if (!total) continue;
                let pos = 0;
                for (const pass of [0, 1]) {
                  const part = pass === 0 ? a.used : a.offered;
                  for (const id of frameworks) {
                    const v = part[id] ? part[id][r] : 0;
                    if (!v) continue;
                    const w = Math.min(BAR_W - pos, (v / total) * BAR_W);
                    add(color(id) + (pass === 0 ? "|1" : "|0.35"), [x + BAR_X + pos, by, w, BAR_H]);
                    pos += w;
                  }
                }
              }
            }
            for (const [style, rects] of runs) {
              const [fill, alpha] = style.split("|");
              ctx.fillStyle = fill; ctx.globalAlpha = Number(alpha);
              for (const [x, y, w, h] of rects) ctx.fillRect(x, y, w, h);
            }
            ctx.globalAlpha = 1;
          }

          /// The agent in the list that stands for the canvas (for screen readers and tests): name, kind, tasks.
          function listText(a) {
            return `${esc(a.hostname)}: ${esc(a.kind)}, ${a.tasks} tasks${a.active ? "" : ", unreachable"}`;
          }

          function describe(a) {
            return RESOURCES.map((name, r) => {
              let used = 0, offered = 0;
              for (const v of Object.values(a.used)) used += v[r];
              for (const v of Object.values(a.offered)) offered += v[r];
              return `${name} ${amount(r, used)} used, ${amount(r, offered)} offered, ` +
                `${amount(r, Math.max(0, a.total[r] - used - offered))} free of ${amount(r, a.total[r])}`;
            }).join("; ");
          }

          function agentTip(event) {
            const tip = $("agent-tip"), L = S.layout;
            if (!L) return;
            const rect = event.target.getBoundingClientRect();
            const col = Math.floor((event.clientX - rect.left) / CELL_W), row = Math.floor((event.clientY - rect.top) / CELL_H);
            const a = col < L.cols ? S.agents.get(L.ids[row * L.cols + col]) : undefined;
            if (!a) { tip.hidden = true; return; }
            const lines = [`${a.hostname} (${a.kind}, ${a.tasks} tasks)`, ...describe(a).split("; ")];
            for (const [id, v] of Object.entries(a.used)) lines.push(`  ${fwName(id)} uses ${amount(0, v[0])} cpus, ${amount(1, v[1])}`);
            for (const [id, v] of Object.entries(a.offered)) lines.push(`  offered to ${fwName(id)}: ${amount(0, v[0])} cpus, ${amount(1, v[1])}`);
            tip.textContent = lines.join("\n");
            tip.style.left = (event.offsetX + 14) + "px"; tip.style.top = (event.offsetY + 14) + "px";
            tip.hidden = false;
          }

          function renderDRF() {
            const W = 600, H = 170, P = 28;
            const now = S.history.length ? S.history[S.history.length - 1].t : Date.now() / 1000;
            const from = now - HISTORY_SECONDS;
            const x = (t) => P + ((t - from) / HISTORY_SECONDS) * (W - P - 4);
            const y = (v) => H - 14 - v * (H - 24);
            let svg = "";
            for (const v of [0, 0.5, 1]) {
              svg += `<line x1="${P}" x2="${W - 4}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e5ea"/>` +
                `<text x="2" y="${y(v) + 3}">${v * 100}%</text>`;
            }
            svg += `<text x="${P}" y="${H - 2}">-5 min</text><text x="${W - 30}" y="${H - 2}">now</text>`;
            for (const f of S.frameworks) {
              const pts = [];
              for (const h of S.history) if (h.shares[f.id] !== undefined) pts.push(`${x(h.t).toFixed(1)},${y(h.shares[f.id]).toFixed(1)}`);
              if (pts.length === 1) pts.push(`${x(now).toFixed(1)},${pts[0].split(",")[1]}`);
              svg += `<polyline fill="none" stroke="${color(f.id)}" stroke-width="2" points="${pts.join(" ")}"/>`;
            }
            $("drf-chart").innerHTML = svg;
            $("drf-table").innerHTML = `<tr><th>framework</th><th>role</th><th>dominant share</th><th>resource</th>` +
              `<th>weight</th><th>quota</th><th>tasks</th></tr>` + S.frameworks.map((f) =>
                `<tr data-framework="${esc(f.id)}"><td><i class="swatch" style="background:${color(f.id)}"></i>${esc(f.name)}` +
                `${f.active ? "" : " <span class=bad>(disconnected)</span>"}</td><td>${esc(f.role)}</td>` +
                `<td>${pct(f.dominant_share)}</td><td>${esc(f.dominant_resource || "–")}</td><td>${f.weight}</td>` +
                `<td>${esc(f.quota || "none")}</td><td>${f.tasks}</td></tr>`).join("");
          }

          function renderTasks() {
            const byState = new Map(), byAgent = new Map();
            for (const t of S.tasks.values()) {
              byState.set(t.state, (byState.get(t.state) || 0) + 1);
              byAgent.set(t.agent, (byAgent.get(t.agent) || 0) + 1);
            }
            $("task-states").innerHTML = `<span class="chip"><b>${S.tasks.size}</b> tasks</span>` +
              [...byState.entries()].sort().map(([s, n]) =>
                `<span class="chip" data-state="${esc(s)}">${esc(s.replace("TASK_", "").toLowerCase())} <b>${n}</b></span>`).join("");
            const busiest = [...byAgent.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
            $("task-agents").textContent = busiest.length
              ? "by agent: " + busiest.map(([id, n]) => `${agentName(id)} ${n}`).join(", ") + (byAgent.size > 12 ? ", …" : "")
              : "";
            const filter = S.taskFilter.toLowerCase();
            const rows = [];
            let matched = 0;
            const all = [...S.tasks.values()];
            for (let i = all.length - 1; i >= 0; i--) {
              const t = all[i];
              if (filter && !`${t.id} ${t.name} ${agentName(t.agent)} ${t.state} ${fwName(t.framework)}`.toLowerCase().includes(filter)) continue;
              matched++;
              if (rows.length < MAX_TASK_ROWS) {
                rows.push(`<tr data-task="${esc(t.key)}"><td>${esc(t.id)}</td><td>${esc(t.name)}</td>` +
                  `<td><i class="swatch" style="background:${color(t.framework)}"></i>${esc(fwName(t.framework))}</td>` +
                  `<td>${esc(agentName(t.agent))}</td><td>${esc(t.state.replace("TASK_", "").toLowerCase())}</td></tr>`);
              }
            }
            $("task-table").innerHTML = `<caption class="muted">newest first; ${Math.min(matched, MAX_TASK_ROWS)} of ${matched} shown</caption>` +
              `<tr><th>task</th><th>name</th><th>framework</th><th>agent</th><th>state</th></tr>` + rows.join("");
          }

          function renderApps() {
            $("app-table").innerHTML = `<tr><th>app</th><th>running</th><th>health</th><th>deployment</th></tr>` +
              (S.apps.map((a) => {
                const done = a.instances ? Math.min(1, a.running / a.instances) : 1;
                const health = a.has_health_checks
                  ? `<span class="ok">${a.healthy} healthy</span>` + (a.unhealthy ? ` <span class="bad">${a.unhealthy} unhealthy</span>` : "")
                  : `<span class="muted">no checks</span>`;
                const dep = a.deployments.map((d) => `step ${d.step}/${d.steps}: ${esc(d.actions.join(", ").toLowerCase())}`).join("; ");
                return `<tr data-app="${esc(a.id)}"><td>${esc(a.id)}</td><td><span class="bar"><i style="width:${(done * 100).toFixed(0)}%"></i></span>` +
                  `<span class="count">${a.running}/${a.instances}</span>${a.staged ? ` (${a.staged} staging)` : ""}</td>` +
                  `<td>${health}</td><td>${dep || `<span class="muted">none</span>`}</td></tr>`;
              }).join("") || `<tr><td colspan="4" class="muted">no apps</td></tr>`);
          }

          function renderServices() {
            $("service-table").innerHTML = `<tr><th>service</th><th>DNS</th><th>VIP</th><th>endpoints</th><th>connections</th></tr>` +
              (S.services.map((s) =>
                `<tr data-service="${esc(s.name)}"><td>${esc(s.name)} <span class="muted">${esc(s.framework)}</span></td><td>${esc(s.dns)}</td>` +
                `<td>${esc(s.vip)}:${s.port}${s.listening ? "" : ` <span class="bad">not listening</span>`}</td>` +
                `<td title="${esc(s.endpoints.join(" "))}">${s.endpoints.length}: ${esc(s.endpoints.slice(0, 4).join(", "))}${s.endpoints.length > 4 ? ", …" : ""}</td>` +
                `<td>${s.connections_total} total, ${s.connections_active} active</td></tr>`).join("")
                || `<tr><td colspan="5" class="muted">no services</td></tr>`);
          }

          // Kubernetes: trees; a node matches when its labels hold every pair of the selector; a tree shows when
          // any node in it matches.
          function matches(labels) {
            for (const [k, v] of Object.entries(S.selector)) {
              if (!(k in labels) || (v !== null && labels[k] !== v)) return false;
            }
            return true;
          }
          function parseSelector(text) {
            const out = {};
            for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
              const i = part.indexOf("=");
              if (i < 0) out[part] = null; else out[part.slice(0, i).trim()] = part.slice(i + 1).replace(/^=/, "").trim();
            }
            return out;
          }
          function anyMatch(node) { return matches(node.labels) || node.children.some(anyMatch); }
          function renderNode(node, filtering) {
            const labels = Object.entries(node.labels).sort().map(([k, v]) =>
              `<span class="label${S.selector[k] === v ? " sel" : ""}" data-k="${esc(k)}" data-v="${esc(v)}">${esc(k)}=${esc(v)}</span>`).join("");
            const sel = Object.keys(node.selector).length
              ? ` <span class="muted">selects ${esc(Object.entries(node.selector).map(([k, v]) => k + "=" + v).join(","))}</span>` : "";
            const kids = node.children.length ? `<ul>${node.children.map((c) => renderNode(c, filtering)).join("")}</ul>` : "";
            const hit = filtering && matches(node.labels) ? " match" : "";
            return `<li class="${hit}" data-kind="${esc(node.kind)}" data-name="${esc(node.namespace)}/${esc(node.name)}">` +
              `<span class="node"><span class="kind">${esc(node.kind)}</span>${esc(node.namespace)}/${esc(node.name)} ` +
              `<span class="muted">${esc(node.status)}</span>${sel}${labels}</span>${kids}</li>`;
          }
          function renderKube() {
            const filtering = Object.keys(S.selector).length > 0;
            const roots = filtering ? S.kube.filter(anyMatch) : S.kube;
            $("kube-trees").innerHTML = roots.length
              ? `<ul class="tree">${roots.map((n) => renderNode(n, filtering)).join("")}</ul>`
              : `<p class="muted">${filtering ? "nothing matches the selector" : "no Kubernetes objects"}</p>`;
          }

          // MARK: input

          $("agents-canvas").addEventListener("mousemove", agentTip);
          $("agents-canvas").addEventListener("mouseleave", () => { $("agent-tip").hidden = true; });
          $("task-filter").addEventListener("input", (e) => { S.taskFilter = e.target.value; mark("tasks"); });
          $("selector").addEventListener("input", (e) => { S.selector = parseSelector(e.target.value); mark("kube"); });
          $("selector-clear").addEventListener("click", () => { $("selector").value = ""; S.selector = {}; mark("kube"); });
          $("kube-trees").addEventListener("click", (e) => {
            const label = e.target.closest(".label");
            if (!label) return;
            const { k, v } = label.dataset;
            if (S.selector[k] === v) delete S.selector[k]; else S.selector[k] = v;
            $("selector").value = Object.entries(S.selector).map(([a, b]) => b === null ? a : `${a}=${b}`).join(",");
            mark("kube");
          });
          $("components").addEventListener("click", (e) => {
            const chip = e.target.closest("[data-component]");
            if (!chip) return;
            const name = chip.dataset.component;
            S.components.set(name, !S.components.get(name));
            mark("components", "timeline");
          });
          new ResizeObserver((entries) => {
            const width = Math.round(entries[0].contentRect.width);
            if (S.boxWidth && Math.abs(width - S.boxWidth) > 1) { S.boxWidth = width; S.changedAgents = null; mark("agents"); }
          }).observe($("agents-canvas").parentElement);
          setInterval(() => { if (S.frameworks.length) { sample(Date.now() / 1000); mark("drf"); } }, 1000);

          // MARK: feed

          function setConnected(on) {
            S.connected = on;
            const c = $("conn");
            c.textContent = on ? "live" : "reconnecting";
            c.classList.toggle("off", !on);
          }
          const source = new EventSource("/dashboard/v1/events");
          source.addEventListener("snapshot", (e) => {
            if (!S.marks.snapshot) S.marks.snapshot = performance.now();
            const snapshot = JSON.parse(e.data);
            if (!S.marks.parsed) S.marks.parsed = performance.now();
            S.frames++; applySnapshot(snapshot); setConnected(true);
          });
          source.addEventListener("delta", (e) => { S.frames++; applyDelta(JSON.parse(e.data)); });
          source.addEventListener("error", () => setConnected(false));
          window.addEventListener("pagehide", () => source.close());
        })();

        """#
}
