/* taskkit viewer. Plain ES2020, no dependencies, no build step.
 *
 * Routes (the URL fragment, so every view is a permalink):
 *   #/run/R                 summary of run R (settings, rates with intervals, charts)
 *   #/run/R/episodes?q=...  the task list, filters in the query (status, error, pack, q)
 *   #/run/R/episode/KEY     one episode
 *   #/compare               two runs side by side (taskkit compare --format html)
 */
"use strict";

(function () {
  const banner = document.getElementById("banner");
  const app = document.getElementById("app");

  function showError(message) {
    const div = document.createElement("div");
    div.className = "error";
    div.textContent = message;
    banner.appendChild(div);
  }
  window.addEventListener("error", (e) => showError("viewer error: " + e.message));
  window.addEventListener("unhandledrejection", (e) =>
    showError("viewer error: " + (e.reason && e.reason.message ? e.reason.message : e.reason)));

  let DATA;
  try {
    DATA = JSON.parse(document.getElementById("taskkit-data").textContent);
  } catch (err) {
    app.textContent = "";
    showError("this file's data is damaged (was it cut off while copying?): " + err.message);
    return;
  }

  // ---- small helpers ------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v === true ? "" : v);
      }
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return el;
  }
  function show(...children) {
    app.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }
  const fmt3 = (x) => Number(x).toFixed(3);
  const pct = (x) => (100 * x).toFixed(1) + "%";
  const json = (v) => JSON.stringify(v, null, 2);
  const enc = encodeURIComponent;

  function statusCell(status) {
    if (status === 1) return h("span", { class: "pass", text: "pass" });
    if (status === 2) return h("span", { class: "errored", text: "error" });
    return h("span", { class: "fail", text: "fail" });
  }
  function chips(list) {
    return h("span", null, list.map((e) => h("span", { class: "chip", text: e })));
  }

  // ---- routing ------------------------------------------------------------------------
  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, "");
    const [path, query] = raw.split("?");
    const parts = path.split("/").filter((p) => p !== "");
    const params = new URLSearchParams(query || "");
    return { parts, params };
  }
  function defaultRoute() {
    return DATA.compare ? "#/compare" : "#/run/0";
  }

  function nav(active) {
    const navEl = document.getElementById("nav");
    navEl.textContent = "";
    DATA.runs.forEach((run, i) => {
      const label = DATA.runs.length > 1 ? (i === 0 ? "A" : i === 1 ? "B" : String(i)) + ": " + run.name : run.name;
      navEl.appendChild(h("span", { class: "run" },
        h("span", { class: "run-name", text: label }),
        h("a", { href: "#/run/" + i, class: active === "summary-" + i ? "active" : null, text: "Summary" }),
        h("a", { href: "#/run/" + i + "/episodes", class: active === "episodes-" + i ? "active" : null, text: "Episodes" })));
    });
    if (DATA.compare) {
      navEl.appendChild(h("a", { href: "#/compare", class: active === "compare" ? "active" : null, text: "Compare" }));
    }
  }

  function warnings() {
    for (const run of DATA.runs) {
      for (const w of run.warnings) banner.appendChild(h("div", { class: "warning", text: w }));
    }
  }

  // ---- summary ------------------------------------------------------------------------
  function ratesTable(level, groups, runId) {
    const rows = Object.entries(groups).map(([name, g]) => h("tr", { "data-name": name },
      h("td", null, level === "task" || level === "pack" || level === "category"
        ? h("a", { href: "#/run/" + runId + "/episodes?" + (level === "task" ? "q=" + enc(name.split("/").pop()) + "&pack=" + enc(name.split("/")[0]) : level + "=" + enc(name)), text: name })
        : name),
      h("td", { class: "num", text: g.episodes }),
      h("td", { class: "num", text: g.tasks_passed }),
      h("td", { class: "num", "data-value": g.task_pass_rate, text: fmt3(g.task_pass_rate) }),
      h("td", { class: "num", text: "[" + fmt3(g.interval.low) + ", " + fmt3(g.interval.high) + "]" }),
      h("td", { class: "num", text: g.actions }),
      h("td", { class: "num", "data-value": g.action_pass_rate, text: fmt3(g.action_pass_rate) })));
    return h("table", { id: "by-" + level },
      h("thead", null, h("tr", null, h("th", { text: level }), h("th", { class: "num", text: "episodes" }),
        h("th", { class: "num", text: "passed" }), h("th", { class: "num", text: "task pass" }),
        h("th", { class: "num", text: "95% interval" }), h("th", { class: "num", text: "actions" }),
        h("th", { class: "num", text: "action pass" }))),
      h("tbody", null, rows));
  }

  function settingsTable(run) {
    const s = Object.assign({ source: run.path, kind: run.kind }, run.settings);
    return h("table", { class: "kv", id: "settings" }, Object.entries(s).map(([k, v]) =>
      h("tr", null, h("th", { text: k }), h("td", { text: typeof v === "object" ? JSON.stringify(v) : String(v) }))));
  }

  function card(id, label, value, extra, dataValue) {
    return h("div", { class: "card" }, h("div", { class: "muted", text: label }),
      h("div", { class: "big", id: id, "data-value": dataValue, text: value }), extra ? h("div", { class: "muted", text: extra }) : null);
  }

  // Figures `taskkit report` gains later (e.g. pass^k with --repeats) are shown as they are.
  const KNOWN_REPORT = new Set(["overall", "by_pack", "by_category", "by_task", "error_types"]);
  function extraReport(report) {
    const extra = Object.entries(report).filter(([k]) => !KNOWN_REPORT.has(k));
    if (!extra.length) return null;
    return h("table", { class: "kv", id: "report-extra" }, extra.map(([k, v]) =>
      h("tr", null, h("th", { text: k }), h("td", null, h("pre", { text: json(v) })))));
  }

  function renderSummary(runId) {
    const run = DATA.runs[runId];
    const s = run.summary, o = s.overall;
    const charts = h("div", { class: "charts" });
    for (const [name, svg] of Object.entries(run.charts)) {
      const fig = h("figure", { id: "chart-" + name });
      fig.innerHTML = svg; // generated by taskkit.view.plots, labels escaped there
      charts.appendChild(fig);
    }
    const levels = Object.entries(s.levels).filter(([level]) => level !== "task");
    show(
      h("h1", { text: run.name }),
      h("h2", { text: "Settings" }), settingsTable(run),
      h("h2", { text: "Pass rates" }),
      h("div", { class: "cards", id: "overall" },
        card("overall-episodes", "episodes", String(o.episodes), null, o.episodes),
        card("overall-tasks_passed", "tasks passed", String(o.tasks_passed), null, o.tasks_passed),
        card("overall-task_pass_rate", "task pass rate", fmt3(o.task_pass_rate),
          "95% CI [" + fmt3(o.interval.low) + ", " + fmt3(o.interval.high) + "]", o.task_pass_rate),
        card("overall-action_pass_rate", "action pass rate", fmt3(o.action_pass_rate),
          o.actions_passed + " of " + o.actions + " actions", o.action_pass_rate),
        s.failed_to_run ? card("overall-failed", "failed to run", String(s.failed_to_run)) : null),
      extraReport(s.report),
      h("h2", { text: "Charts" }), charts,
      levels.map(([level, groups]) => [h("h2", { text: "By " + level }), ratesTable(level, groups, runId)]),
      s.levels.task ? [h("h2", { text: "By task" }), ratesTable("task", s.levels.task, runId)] : null);
  }

  // ---- the task list ------------------------------------------------------------------
  const ROW = 28;
  const listState = {};

  function runIndex(run) {
    if (run._rows) return run._rows;
    const ix = run.index, t = ix.tables;
    const rows = new Array(ix.keys.length);
    for (let i = 0; i < rows.length; i++) {
      const errs = ix.errors[i].map((e) => t.error[e]);
      const pack = t.pack[ix.pack[i]], cat = t.category[ix.category[i]], task = t.task[ix.task[i]];
      rows[i] = { i, key: ix.keys[i], pack, category: cat, task, status: ix.status[i], errors: errs,
        steps: ix.steps[i], text: (ix.keys[i] + " " + pack + " " + cat + " " + errs.join(" ")).toLowerCase() };
    }
    run._rows = rows;
    return rows;
  }

  function applyFilters(rows, f) {
    const q = (f.q || "").toLowerCase().trim();
    const words = q ? q.split(/\s+/) : [];
    return rows.filter((r) => {
      if (f.status === "passed" && r.status !== 1) return false;
      if (f.status === "failed" && r.status === 1) return false;
      if (f.error && !r.errors.includes(f.error)) return false;
      if (f.pack && r.pack !== f.pack) return false;
      if (f.category && r.category !== f.category) return false;
      for (const w of words) if (!r.text.includes(w)) return false;
      return true;
    });
  }

  function renderEpisodes(runId, params) {
    performance.mark("taskkit:list-start");
    const run = DATA.runs[runId];
    const rows = runIndex(run);
    const t = run.index.tables;
    const f = { status: params.get("status") || "", error: params.get("error") || "",
      pack: params.get("pack") || "", category: params.get("category") || "", q: params.get("q") || "" };
    const select = (name, label, options) => h("label", null, label + " ",
      h("select", { id: "filter-" + name, onchange: (e) => { f[name] = e.target.value; update(); } },
        h("option", { value: "", text: "all" }),
        options.map((o) => h("option", { value: o, selected: f[name] === o, text: o }))));
    const statusSel = h("select", { id: "filter-status", onchange: (e) => { f.status = e.target.value; update(); } },
      ["", "passed", "failed"].map((o) => h("option", { value: o, selected: f.status === o, text: o || "all" })));
    const search = h("input", { type: "search", id: "filter-q", placeholder: "search task ids, errors…", value: f.q,
      oninput: (e) => { f.q = e.target.value; update(); } });
    const count = h("span", { id: "count", class: "muted" });
    const spacer = h("div", { class: "spacer" });
    const list = h("div", { id: "list", role: "list" }, spacer);
    show(
      h("h1", { text: run.name + ": episodes" }),
      h("div", { class: "filters" }, h("label", null, "status ", statusSel),
        select("error", "error type", [...t.error].sort()), select("pack", "pack", [...t.pack].sort()),
        select("category", "category", [...t.category].sort()), search, count),
      h("div", { class: "listhead" }, ["status", "episode", "pack", "category", "steps", "errors"].map((c) => h("span", { text: c }))),
      list);
    let shown = [];
    let drawn = [-1, -1];
    function draw(force) {
      const first = Math.max(0, Math.floor(list.scrollTop / ROW) - 10);
      const last = Math.min(shown.length, first + Math.ceil((list.clientHeight || 600) / ROW) + 20);
      if (!force && first === drawn[0] && last === drawn[1]) return;
      drawn = [first, last];
      const frag = document.createDocumentFragment();
      for (let k = first; k < last; k++) {
        const r = shown[k];
        frag.appendChild(h("a", { class: "row", role: "listitem", "data-key": r.key, style: "top:" + k * ROW + "px",
          href: "#/run/" + runId + "/episode/" + enc(r.key) },
          statusCell(r.status), h("span", { text: r.key, title: r.key }), h("span", { text: r.pack }),
          h("span", { text: r.category }), h("span", { text: r.steps }), chips(r.errors)));
      }
      spacer.replaceChildren(frag);
    }
    function update() {
      performance.mark("taskkit:filter-start");
      shown = applyFilters(rows, f);
      spacer.style.height = shown.length * ROW + "px";
      count.textContent = shown.length + " of " + rows.length + " episodes";
      list.scrollTop = 0;
      draw(true);
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
      const hash = "#/run/" + runId + "/episodes" + (q.toString() ? "?" + q : "");
      listState[runId] = hash;
      if (location.hash !== hash) history.replaceState(null, "", hash);
      performance.measure("taskkit:filter", "taskkit:filter-start");
    }
    list.addEventListener("scroll", () => draw(false), { passive: true });
    update();
    performance.measure("taskkit:list", "taskkit:list-start");
  }

  // ---- one episode --------------------------------------------------------------------
  const chunkCache = new Map();

  async function loadChunk(runId, n) {
    const id = runId + "-" + n;
    if (!chunkCache.has(id)) {
      chunkCache.set(id, (async () => {
        if (document.readyState === "loading") { // the chunks follow the script in the file
          await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
        }
        const el = document.getElementById("chunk-" + id);
        if (!el) throw new Error("episode data chunk " + id + " is missing from this file");
        const bin = Uint8Array.from(atob(el.textContent.trim()), (c) => c.charCodeAt(0));
        const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"));
        return JSON.parse(await new Response(stream).text());
      })());
    }
    return chunkCache.get(id);
  }

  async function loadEpisode(runId, i) {
    const run = DATA.runs[runId];
    const bodies = await loadChunk(runId, Math.floor(i / run.chunk));
    return bodies[i % run.chunk];
  }

  function findings(list) {
    if (!list || !list.length) return null;
    return h("ul", { class: "findings" }, list.map((f) =>
      h("li", null, h("span", { class: "chip", text: f.type }), " ", f.message || "")));
  }

  function callView(c) {
    const ok = c.verified && !c.error_type;
    return h("div", { class: "call" },
      h("div", null, h("strong", { text: c.name }), " ",
        h("span", { class: ok ? "pass" : "fail", text: c.verified ? (c.error_type ? "ran: " + c.error_type : "verified") : "rejected: " + (c.error_type || "invalid") })),
      h("pre", { class: "args", text: json(c.arguments) }),
      h("details", { class: "observation" }, h("summary", { text: "observation (" + String(c.observation || "").length + " chars)" }),
        h("pre", { text: c.observation || "" })),
      findings(c.findings));
  }

  function stepBody(step) {
    return [
      step.thought ? h("div", null, h("em", { text: "thought: " }), step.thought) : null,
      (step.calls || []).map(callView),
      step.answer !== null && step.answer !== undefined ? h("div", null, h("strong", { text: "answer: " }), step.answer) : null,
      findings(step.errors),
      h("details", null, h("summary", { text: "raw response" }), h("pre", { text: json(step.response) })),
    ];
  }

  function stepView(step) {
    if (step.samples) { // an explored step of `taskkit generate`: every sample, the chosen one marked
      return h("div", { class: "step" }, h("h3", { text: "step " + step.index + " — " + step.samples.length + " samples" }),
        step.samples.map((s) => h("div", { class: "sample" + (s.index === step.chosen ? " chosen" : ""), "data-sample": s.index },
          h("div", null, h("strong", { text: "sample " + s.index }), " temperature " + s.temperature + " ",
            h("span", { class: s.passed ? "pass" : "fail", text: s.passed ? "passed" : "failed" }),
            s.index === step.chosen ? h("span", { class: "chip chosen-mark", text: "★ chosen" }) : null,
            s.ends_episode ? h("span", { class: "chip", text: "ends the episode" }) : null),
          h("details", { open: s.index === step.chosen }, h("summary", { text: "calls and verdicts" }), stepBody(s.step)))));
    }
    return h("div", { class: "step " + (step.score ? "good" : "bad") },
      h("h3", null, "step " + step.index + " ", h("span", { class: step.score ? "pass" : "fail", text: "score " + step.score })),
      stepBody(step));
  }

  function diffView(diff) {
    const colls = Object.entries(diff || {});
    if (!colls.length) return h("p", { class: "muted", id: "diff", text: "the final state matches gold (no differences)" });
    return h("div", { id: "diff" }, colls.map(([coll, d]) => {
      const tables = [];
      for (const [kind, cls] of [["added", "diff-added"], ["removed", "diff-removed"]]) {
        for (const rec of d[kind] || []) {
          tables.push(h("table", { class: "diff " + cls, "data-kind": kind },
            h("caption", { text: coll + ": " + kind + (kind === "added" ? " (in the final state, not in gold)" : " (in gold, not in the final state)") }),
            Object.entries(rec && typeof rec === "object" ? rec : { value: rec }).map(([k, v]) =>
              h("tr", null, h("th", { text: k }), h("td", { text: typeof v === "object" ? JSON.stringify(v) : String(v) })))));
        }
      }
      for (const ch of d.changed || []) {
        const before = ch.before && typeof ch.before === "object" ? ch.before : { value: ch.before };
        const after = ch.after && typeof ch.after === "object" ? ch.after : { value: ch.after };
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
        tables.push(h("table", { class: "diff diff-changed", "data-kind": "changed" },
          h("caption", { text: coll + ": changed" + (ch.id !== null && ch.id !== undefined ? " " + ch.id : "") }),
          h("tr", null, h("th", { text: "field" }), h("th", { text: "gold" }), h("th", { text: "final" })),
          keys.map((k) => {
            const a = JSON.stringify(before[k]), b = JSON.stringify(after[k]);
            const cls = a === b ? null : "changed";
            return h("tr", { "data-field": k }, h("th", { text: k }), h("td", { class: cls, text: a === undefined ? "—" : a }),
              h("td", { class: cls, text: b === undefined ? "—" : b }));
          })));
      }
      return h("div", { class: "collection" }, h("h3", { text: coll }), tables);
    }));
  }

  async function renderEpisode(runId, key) {
    const run = DATA.runs[runId];
    const rows = runIndex(run);
    const row = rows.find((r) => r.key === key);
    if (!row) {
      show(h("p", { class: "error", text: "no episode " + JSON.stringify(key) + " in " + run.name }));
      return;
    }
    show(h("p", { class: "muted", text: "loading " + key + "…" }));
    const rec = await loadEpisode(runId, row.i);
    const back = listState[runId] || "#/run/" + runId + "/episodes";
    const head = rec.head || (rec.user_command ? [{ role: "user", content: rec.user_command }] : null);
    const final = rec.final || {};
    const other = DATA.runs.length > 1 ? DATA.runs.map((r, j) => j === runId ? null :
      h("a", { href: "#/run/" + j + "/episode/" + enc(key), text: "this task in " + r.name })) : null;
    show(
      h("p", null, h("a", { href: back, text: "← episodes" }), " ", other),
      h("h1", { id: "episode-key", text: key }),
      h("table", { class: "kv", id: "episode-meta" },
        h("tr", null, h("th", { text: "result" }), h("td", null, statusCell(row.status))),
        h("tr", null, h("th", { text: "pack / category / task" }), h("td", { text: rec.pack + " / " + rec.category + " / " + rec.task })),
        h("tr", null, h("th", { text: "format" }), h("td", { text: String(rec.format) })),
        rec.repeat !== undefined ? h("tr", null, h("th", { text: "repeat" }), h("td", { text: String(rec.repeat) })) : null,
        h("tr", null, h("th", { text: "step scores" }), h("td", { id: "step-scores", text: (rec.action_scores || []).join(" ") })),
        h("tr", null, h("th", { text: "task score" }), h("td", { text: String(rec.task_score) })),
        h("tr", null, h("th", { text: "error types" }), h("td", null, chips(row.errors))),
        rec.failed ? h("tr", null, h("th", { text: "failed to run" }), h("td", { class: "fail", text: JSON.stringify(rec.failed) })) : null),
      head ? [h("h2", { text: "Conversation start" }), head.map((m) =>
        h("details", { open: m.role === "user" }, h("summary", { text: m.role }), h("pre", { class: "message-" + m.role, text: m.content })))] : null,
      h("h2", { text: "Steps" }), (rec.steps || []).map(stepView),
      h("h2", { text: "Final verdict" }),
      h("p", null, "score ", h("span", { class: final.score ? "pass" : "fail", text: String(final.score ?? "—") }),
        rec.answer !== null && rec.answer !== undefined ? [" — answer: ", h("q", { text: rec.answer })] : null),
      h("div", { id: "final-checks" }, findings(final.errors) || h("p", { class: "muted", text: "every final check passed" })),
      h("h2", { text: "Final state vs gold" }), diffView(final.diff));
  }

  // ---- compare ------------------------------------------------------------------------
  function renderCompare() {
    const c = DATA.compare, o = c.overall;
    const p = (x) => x >= 0.001 ? x.toPrecision(3) : x.toExponential(1);
    const groupTable = (id, level, groups) => h("table", { id },
      h("tr", null, [level, "episodes", "A pass", "B pass", "delta", "regressions", "fixes", "p (exact)", "p (mid-p)"].map((x) => h("th", { text: x }))),
      Object.entries(groups).map(([name, g]) => h("tr", { "data-name": name }, h("td", { text: name }),
        h("td", { class: "num", text: g.episodes }), h("td", { class: "num", text: pct(g.a_rate.estimate) }),
        h("td", { class: "num", text: pct(g.b_rate.estimate) }), h("td", { class: "num", text: (g.delta >= 0 ? "+" : "") + pct(g.delta) }),
        h("td", { class: "num", text: g.regressions }), h("td", { class: "num", text: g.fixes }),
        h("td", { class: "num", text: p(g.p_exact) }), h("td", { class: "num", text: p(g.p_mid) }))));
    const flipRows = c.flips.map((f) => h("tr", { class: "flip " + f.flip, "data-key": f.key, "data-flip": f.flip },
      h("td", null, h("span", { class: f.flip === "regression" ? "fail" : "pass", text: f.flip })),
      h("td", null, h("a", { href: "#/run/0/episode/" + enc(f.key), text: f.key })),
      h("td", { text: f.pack }), h("td", { text: f.category }),
      h("td", null, statusCell(f.a ? 1 : 0), " → ", statusCell(f.b ? 1 : 0)),
      h("td", null, h("a", { href: "#/run/1/episode/" + enc(f.key), text: "B's episode" })),
      h("td", null, chips(f.flip === "regression" ? f.b_errors : f.a_errors))));
    show(
      h("h1", { text: "Compare: A = " + c.a + ", B = " + c.b }),
      h("div", { class: "cards", id: "compare-overall" },
        card("cmp-a", "A pass rate", pct(o.a_rate.estimate), o.a_passed + " of " + o.episodes, o.a_rate.estimate),
        card("cmp-b", "B pass rate", pct(o.b_rate.estimate), o.b_passed + " of " + o.episodes, o.b_rate.estimate),
        card("cmp-delta", "change (B − A)", (o.delta >= 0 ? "+" : "") + pct(o.delta), null, o.delta),
        card("cmp-flips", "flips", o.regressions + " regressions, " + o.fixes + " fixes"),
        card("cmp-p", "McNemar p", p(o.p_exact), "mid-p " + p(o.p_mid), o.p_exact)),
      h("h2", { text: "Flips (" + c.flips.length + "): regressions first, then fixes" }),
      c.flips.length ? h("table", { id: "flips" },
        h("tr", null, ["flip", "episode (A)", "pack", "category", "A → B", "", "errors"].map((x) => h("th", { text: x }))), flipRows)
        : h("p", { class: "muted", id: "flips", text: "no task changed its result" }),
      h("h2", { text: "By pack" }), groupTable("cmp-by-pack", "pack", c.by_pack),
      h("h2", { text: "By category" }), groupTable("cmp-by-category", "category", c.by_category));
  }

  // ---- main ---------------------------------------------------------------------------
  async function render() {
    if (DATA.error) {
      show(h("h1", { text: "Nothing to show yet" }), h("p", { class: "error", id: "input-error", text: DATA.error }));
      return;
    }
    if (!location.hash || location.hash === "#" || location.hash === "#/") {
      history.replaceState(null, "", defaultRoute());
    }
    const { parts, params } = parseHash();
    try {
      if (parts[0] === "compare" && DATA.compare) {
        nav("compare");
        renderCompare();
      } else if (parts[0] === "run" && DATA.runs[Number(parts[1])]) {
        const runId = Number(parts[1]);
        if (parts[2] === "episodes") { nav("episodes-" + runId); renderEpisodes(runId, params); }
        else if (parts[2] === "episode") { nav("episodes-" + runId); await renderEpisode(runId, decodeURIComponent(parts.slice(3).join("/"))); }
        else { nav("summary-" + runId); renderSummary(runId); }
      } else {
        nav("");
        show(h("p", { class: "error", text: "no such page: " + location.hash }),
          h("p", null, h("a", { href: defaultRoute(), text: "go to the start" })));
      }
      window.scrollTo(0, 0);
    } catch (err) {
      show(h("p", { class: "error", text: "could not show this page: " + err.message }));
    }
    document.body.dataset.ready = location.hash;
  }

  function live() {
    if (!DATA.live) return;
    const badge = document.getElementById("live");
    badge.textContent = "● live";
    setInterval(async () => {
      try {
        const res = await fetch("/version", { cache: "no-store" });
        const v = await res.json();
        if (v.version !== DATA.live) location.reload();
        badge.textContent = "● live";
      } catch (err) {
        badge.textContent = "○ server stopped";
      }
    }, 1000);
  }

  warnings();
  window.addEventListener("hashchange", render);
  live();
  render();
})();
