extension DashboardAssets {
    /// The stylesheet: a two-column grid of sections, wide sections across both.
    static let stylesheet = #"""
        :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e2e5ea; --free: #e9ecf1; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
          background: var(--bg); }
        header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; background: #1d2330; color: #fff; }
        header h1 { font-size: 17px; margin: 0; }
        #summary { flex: 1; color: #c9cfdb; }
        .conn { padding: 1px 8px; border-radius: 9px; background: #2f8f4e; font-size: 12px; }
        .conn.off { background: #a94442; }
        main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; padding: 12px; }
        section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
          min-width: 0; }
        section.wide { grid-column: 1 / -1; }
        h2 { font-size: 14px; margin: 0 0 8px; }
        h2 small { font-weight: normal; color: var(--muted); margin-left: 6px; }
        .muted { color: var(--muted); }
        table { border-collapse: collapse; width: 100%; margin-top: 6px; }
        th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--line); vertical-align: top;
          white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 360px; }
        th { color: var(--muted); font-weight: 600; }
        .legend span, .chip { display: inline-block; margin: 0 10px 4px 0; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px;
          vertical-align: -1px; }
        .chips .chip { padding: 1px 8px; border-radius: 9px; background: var(--free); cursor: default; }
        .chips label.chip { cursor: pointer; user-select: none; }
        .chips .chip.offc { opacity: .45; text-decoration: line-through; }
        .canvas-box { position: relative; max-height: 520px; overflow: auto; border: 1px solid var(--line); }
        canvas { display: block; }
        .tip { position: absolute; background: #1d2330; color: #fff; padding: 6px 8px; border-radius: 4px;
          white-space: pre; font: 12px ui-monospace, monospace; pointer-events: none; z-index: 2; }
        .stream { list-style: none; margin: 0; padding: 0; max-height: 300px; overflow: auto;
          font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
        .stream li { border-bottom: 1px dotted var(--line); white-space: nowrap; overflow: hidden;
          text-overflow: ellipsis; }
        .stream time { color: var(--muted); margin-right: 6px; }
        .stream .comp { display: inline-block; min-width: 90px; color: #3b5bdb; margin-right: 6px; }
        .k-offer b { color: #3b5bdb; } .k-accept b { color: #2f8f4e; } .k-decline b { color: #b7791f; }
        .k-rescind b { color: #a94442; }
        .bar { display: inline-block; width: 90px; height: 8px; background: var(--free); border-radius: 4px;
          overflow: hidden; vertical-align: middle; margin-right: 6px; }
        .bar i { display: block; height: 100%; background: #2f8f4e; }
        .ok { color: #2f8f4e; } .bad { color: #a94442; }
        #task-filter, #selector { width: 280px; padding: 3px 6px; margin: 6px 0; border: 1px solid var(--line);
          border-radius: 4px; }
        .tree, .tree ul { list-style: none; margin: 0; padding-left: 18px; }
        .tree { padding-left: 0; }
        .tree li { margin: 2px 0; }
        .kind { display: inline-block; min-width: 86px; font-weight: 600; color: #5f3dc4; }
        .label { display: inline-block; padding: 0 6px; margin-left: 4px; border-radius: 8px; background: #e7f0ff;
          color: #1c4fa8; cursor: pointer; font-size: 12px; }
        .label.sel { background: #d0bfff; color: #3b1c8c; }
        .label:hover { text-decoration: underline; }
        .match > .node { background: #fff4d6; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        svg { width: 100%; height: 170px; background: #fbfcfd; border: 1px solid var(--line); }
        svg text { font: 10px system-ui, sans-serif; fill: var(--muted); }
        @media (max-width: 900px) { main { grid-template-columns: 1fr; } }

        """#
}
