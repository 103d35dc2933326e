// The dashboards in the browser: a bearer token kept in this tab (sessionStorage), the JSON of
// /v1/dashboards read with it, and a server-sent-events stream (read with fetch, so that the token
// goes in a header and never in a URL) that says when to read again.
(function () {
  "use strict";
  const body = document.body, root = body.dataset.root, page = body.dataset.page, estateId = body.dataset.estateId;
  const TOKEN_KEY = "estatedesk.dashboard.token", LANG_KEY = "estatedesk.dashboard.lang";
  const FIGURES = ["calls_today", "answer_rate", "open_tickets", "open_p1", "breaches_today", "collection_rate"];
  const state = { data: null, charts: null, versions: null, loading: null, again: false, renders: 0 };
  window.dashboard = state;

  // A link may carry the token in its fragment (never sent to a server): kept, then dropped from the address.
  const fromLink = location.hash.match(/token=([^&]+)/);
  if (fromLink) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromLink[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  let lang = localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function t(key, values) {
    let text = (I18N[lang][key] ?? I18N.zh[key] ?? key);
    for (const [name, value] of Object.entries(values || {})) text = text.replaceAll(`{${name}}`, value ?? "");
    return text;
  }
  const word = (prefix, value) => (value == null ? "—" : (I18N[lang][prefix + value] ?? value));
  const percent = (rate) => (rate == null ? "—" : (rate * 100).toFixed(1) + "%");
  const count = (n) => (n == null ? "—" : String(n));
  const shown = { answer_rate: percent, collection_rate: percent };
  const show = (name, value) => (shown[name] || count)(value);
  function clock(moment, timeZone) {
    if (!moment) return "—";
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", { timeZone, hour: "2-digit", minute: "2-digit", hour12: false })
      .format(new Date(moment));
  }
  function age(seconds) {
    if (seconds == null) return "—";
    const h = Math.floor(seconds / 3600), m = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
    return h ? t("hours", { h, m }) : t("minutes", { m: Number(m) });
  }
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    document.getElementById("main").hidden = true;
    document.getElementById("sign-in").hidden = false;
    const error = document.getElementById("sign-in-error");
    error.hidden = !message; error.textContent = message || "";
  }

  async function api(path) {
    const response = await fetch(root + path, { headers: { Authorization: "Bearer " + token() } });
    if (response.status === 401) { signOut(t("token_rejected")); throw new Error("unauthorized"); }
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return response.json();
  }

  function tile(data, link) {
    const figures = el("dl", { class: "figures" });
    for (const name of FIGURES) {
      const level = (data.levels || {})[name] || "";
      figures.append(el("div", { class: level, "data-figure": name },
        el("dt", {}, t(name)), el("dd", {}, show(name, data[name]))));
    }
    const title = link ? el("a", { href: `${root}/dashboard/estates/${encodeURIComponent(data.estate_id)}` }, data.name) : data.name;
    return el("article", { class: `tile ${data.level}`, "data-estate": data.estate_id, "data-level": data.level },
      el("h3", {}, title), figures);
  }

  function renderOverview() {
    const tiles = document.getElementById("tiles");
    tiles.replaceChildren(...state.data.estates.map((estate) => tile(estate, true)));
    if (!state.data.estates.length) tiles.append(el("p", { class: "muted" }, t("no_estates")));
  }

  function orderLine(order, timeZone) {
    const deadline = order.deadline ? ` · ${word("milestone_", order.next_milestone)} ${clock(order.deadline, timeZone)}` : "";
    return el("li", { "data-work-order": order.work_order_id },
      `${order.number || order.work_order_id} ${order.priority || ""} ${word("status_", order.status)}${deadline}`);
  }

  function renderEstate() {
    const data = state.data, zone = data.time_zone;
    document.getElementById("estate-name").textContent = data.name;
    document.getElementById("estate-day").textContent = data.day;
    document.getElementById("tile").replaceChildren(tile(data, false));
    document.getElementById("by-status").replaceChildren(...Object.entries(data.open_by_status).map(([status, n]) =>
      el("span", { "data-status": status }, `${word("status_", status)} ${n}`)));
    document.querySelector("#queue tbody").replaceChildren(...data.open_work_orders.map((o) =>
      el("tr", { class: o.sla_state, "data-work-order": o.work_order_id },
        el("td", {}, o.number || o.work_order_id), el("td", {}, word("status_", o.status)), el("td", {}, o.priority || "—"),
        el("td", {}, word("dept_", o.department)), el("td", {}, age(o.age_s)),
        el("td", {}, o.deadline ? `${word("milestone_", o.next_milestone)} ${clock(o.deadline, zone)}` : "—"))));
    for (const list of ["about_to_breach", "breached"]) {
      const items = data[list].map((o) => orderLine(o, zone));
      document.getElementById(list.replaceAll("_", "-")).replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, t("none"))]));
    }
    document.getElementById("timeline").replaceChildren(...data.timeline.map((entry) => el("li", { "data-kind": entry.kind },
      el("time", {}, clock(entry.time, zone)),
      t("tl_" + entry.kind, { ...entry, milestone: word("milestone_", entry.milestone) }))));
    if (state.charts) renderCharts();
  }

  const charts = {};
  function chart(id, title, series, days, percentAxis) {
    if (typeof echarts === "undefined") return;
    charts[id] = charts[id] || echarts.init(document.getElementById(id));
    charts[id].setOption({
      title: { text: title, left: "center", top: 4, textStyle: { fontSize: 13 } }, tooltip: { trigger: "axis" },
      grid: { top: series.length > 1 ? 58 : 36, bottom: 30, left: 45, right: 15 },
      legend: series.length > 1 ? { top: 28, type: "scroll" } : undefined,
      xAxis: { type: "category", data: days.map((d) => d.slice(5)) },
      yAxis: { type: "value", max: percentAxis ? 100 : undefined, axisLabel: percentAxis ? { formatter: "{value}%" } : {} },
      series,
      // A chart with nothing recorded says so, rather than drawing zeros.
      graphic: series.every((s) => s.data.every((v) => v == null))
        ? [{ type: "text", left: "center", top: "middle", style: { text: t("not_recorded"), fill: "#889", fontSize: 14 } }] : [],
    }, true);
  }
  function renderCharts() {
    const c = state.charts, scale = (values) => values.map((v) => (v == null ? null : +(v * 100).toFixed(1)));
    chart("chart-calls", t("chart_calls"), [{ type: "bar", name: t("chart_calls"), data: c.calls }], c.days);
    chart("chart-tickets", t("chart_tickets"), Object.entries(c.tickets_by_category).map(([category, values]) =>
      ({ type: "bar", stack: "tickets", name: word("cat_", category), data: values })), c.days);
    chart("chart-on-time", t("chart_on_time"), [{ type: "line", connectNulls: false, name: t("chart_on_time"), data: scale(c.on_time_rate) }], c.days, true);
    chart("chart-satisfaction", t("chart_satisfaction"), [{ type: "line", name: t("chart_satisfaction"), data: c.satisfaction }], c.days);
    chart("chart-collection", t("chart_collection"), [{ type: "line", name: t("chart_collection"), data: scale(c.collection_rate) }], c.days, true);
  }

  function render() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    document.getElementById("lang").textContent = lang === "en" ? "中文" : "English";
    document.getElementById("live").textContent = t(state.live ? "live" : "offline");
    if (state.data && page === "overview") renderOverview();
    if (state.data && page === "estate") renderEstate();
    state.renders += 1;
    body.dataset.renders = String(state.renders);
  }

  async function load() {
    if (page === "reports") { await loadReports(); return; }
    // One read at a time; a change seen meanwhile reads once more at the end.
    if (state.loading) { state.again = true; return state.loading; }
    state.loading = (async () => {
      do {
        state.again = false;
        if (page === "overview") state.data = await api("/v1/dashboards/overview");
        if (page === "estate") {
          const path = `/v1/dashboards/estates/${encodeURIComponent(estateId)}`;
          [state.data, state.charts] = await Promise.all([api(path), api(path + "/charts")]);
        }
        render();
      } while (state.again);
    })().finally(() => { state.loading = null; });
    return state.loading;
  }

  async function listen() {
    const query = page === "estate" ? `?estate_id=${encodeURIComponent(estateId)}` : "";
    for (;;) {
      try {
        const response = await fetch(`${root}/v1/dashboards/stream${query}`,
          { headers: { Authorization: "Bearer " + token(), Accept: "text/event-stream" } });
        if (response.status === 401) { signOut(t("token_rejected")); return; }
        if (!response.ok) throw new Error(String(response.status));
        state.live = true; render();
        const reader = response.body.getReader(), decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n?/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, end); buffer = buffer.slice(end + 2);
            const data = message.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
            if (/^event: ?versions$/m.test(message) && data) {
              const versions = JSON.stringify(JSON.parse(data));
              if (state.versions !== null && versions !== state.versions) load();
              state.versions = versions;
            }
          }
        }
      } catch (error) { if (!token()) return; }
      state.live = false; render();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      load();  // whatever moved while the stream was down
    }
  }

  async function loadReports() {
    const select = document.getElementById("report-estate"), day = document.getElementById("report-day");
    const overview = await api("/v1/dashboards/overview");
    select.replaceChildren(...overview.estates.map((e) => el("option", { value: e.estate_id }, e.name)));
    if (!day.value && overview.estates.length) day.value = overview.estates[0].day;
    const month = document.getElementById("monthly-month");
    if (!month.value && day.value) month.value = day.value.slice(0, 7);
    await showMonthly();
  }

  // A report's address: the daily report of the estate and day, or the chosen monthly report of the estate.
  function reportPath(report, format) {
    const estate = encodeURIComponent(document.getElementById("report-estate").value);
    if (report === "daily") {
      const day = document.getElementById("report-day").value;
      return { path: `/v1/reports/service-centre-daily?estate_id=${estate}&day=${day}&format=${format}&lang=${lang}`,
               name: `daily-report-${estate}-${day}.${format}` };
    }
    const kind = document.getElementById("monthly-kind").value, month = document.getElementById("monthly-month").value;
    return { path: `/v1/reports/monthly/${kind}?estate_id=${estate}&month=${month}&format=${format}&lang=${lang}`,
             name: `${kind}-${estate}-${month}.${format}` };
  }

  // The chosen monthly report on the page: each figure this month, the month before and the change, as the API writes them.
  let monthlyAsked = 0;
  async function showMonthly() {
    const month = document.getElementById("monthly-month").value;
    if (!month || !document.getElementById("report-estate").value) return;
    const asked = ++monthlyAsked, status = document.getElementById("export-status");
    let report;
    try { report = await api(reportPath("monthly", "json").path); } catch (error) {
      if (asked === monthlyAsked) status.textContent = t("monthly_failed", { status: error.message });
      return;
    }
    if (asked !== monthlyAsked) return;  // a later choice is on its way
    document.getElementById("monthly-title").textContent = report.title;
    document.getElementById("monthly-period").textContent =
      `${report.period.from} – ${report.period.to} · ${t("compared_with")} ${report.previous_period.from} – ${report.previous_period.to}`;
    document.querySelector("#monthly-table tbody").replaceChildren(...report.lines.map((line) =>
      el("tr", { "data-path": line.path }, el("th", {}, line.label), el("td", { class: "current" }, line.current_text),
        el("td", { class: "previous" }, line.previous_text), el("td", { class: "change" }, line.change_text))));
    const section = document.getElementById("monthly");
    section.dataset.shown = `${report.kind} ${month} ${report.lang} ${asked}`;
  }

  async function exportReport(report, format) {
    const status = document.getElementById("export-status"), { path, name } = reportPath(report, format);
    status.textContent = t("exporting");
    const response = await fetch(root + path, { headers: { Authorization: "Bearer " + token() } });
    if (!response.ok) { status.textContent = t("export_failed", { status: response.status }); return; }
    const link = URL.createObjectURL(await response.blob());
    if (format === "html") window.open(link, "_blank");
    else el("a", { href: link, download: name }).click();
    status.textContent = t("exported", { name });
  }

  function start() {
    document.getElementById("sign-in").hidden = true;
    document.getElementById("main").hidden = false;
    render();
    load().catch(() => {});
    if (page !== "reports") listen();
  }

  document.getElementById("lang").addEventListener("click", () => {
    lang = lang === "en" ? "zh" : "en"; localStorage.setItem(LANG_KEY, lang); render();
    if (page === "reports" && token()) showMonthly();  // its labels are the API's, in the language asked
  });
  document.getElementById("sign-out").addEventListener("click", () => signOut());
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
    start();
  });
  document.querySelectorAll("button.export").forEach((button) =>
    button.addEventListener("click", () => exportReport(button.dataset.report, button.dataset.format)));
  for (const id of ["report-estate", "monthly-kind", "monthly-month"]) {
    document.getElementById(id)?.addEventListener("change", () => showMonthly());
  }
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  render();
  if (token()) start(); else signOut();
})();
