// CancelDemo sample page: start a request with XHR or fetch, abort it, and watch the server's ledger
// (Server-Sent Events from /requests/events) show the work stop. Plain JS, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  id: null, abort: null, timer: null, startedAt: 0, lastIteration: 0, ended: false,
  // The waterfall: every ledger entry of the chain (the request and the hops it called), by id.
  chain: new Map(), ticks: new Map(), clientStart: 0, clientAbortAt: null, clientEndAt: null,
};

// The server's listeners, so the page can call the other one (cross-origin, allowed by CORS).
async function loadTargets() {
  const select = $("target");
  const here = location.origin;
  const listeners = await (await fetch("/listeners")).json();
  const options = [{ url: here, label: `this server (${here})` }];
  for (const l of listeners.filter((l) => l.browserUsable)) {
    const url = sameLoopback(l.url, here) ? here : l.url;
    if (url !== here) options.push({ url, label: `${l.url} (${l.name}: ${l.protocols})` });
  }
  select.replaceChildren(...options.map((o) => new Option(o.label, o.url)));
}

// localhost and 127.0.0.1 on the same scheme and port are one listener.
function sameLoopback(a, b) {
  const x = new URL(a), y = new URL(b);
  const loop = (h) => ["localhost", "127.0.0.1", "[::1]"].includes(h);
  return x.protocol === y.protocol && x.port === y.port && (x.hostname === y.hostname || (loop(x.hostname) && loop(y.hostname)));
}

function watchLedger() {
  const events = new EventSource("/requests/events");
  // 'ready' comes once the server has subscribed us: from then on no change is missed.
  events.addEventListener("ready", () => {
    $("sse-state").textContent = "live";
    $("sse-state").dataset.state = "open";
    $("start").disabled = state.abort !== null;
  });
  events.onerror = () => {
    $("sse-state").textContent = "reconnecting…";
    $("sse-state").dataset.state = "connecting";
  };
  events.addEventListener("entry", (e) => showEntry(JSON.parse(e.data)));
}

function showEntry(entry) {
  if (state.id && (entry.id === state.id || state.chain.has(entry.parentId))) trackHop(entry);
  if (entry.id !== state.id || state.ended) return;
  const unit = entry.path === "/stream" ? "Sent chunk" : "Working...";
  while (state.lastIteration < entry.iterationsCompleted) logLine(`${unit} ${state.lastIteration++}`);
  if (!entry.endedAt) return;
  state.ended = true;
  const latency = entry.abortToStopMs == null ? "" : `, abort-to-stop ${entry.abortToStopMs.toFixed(1)} ms`;
  if (entry.outcome === "clientAborted") {
    // As the server logs it: only a loop has a step to stop at.
    const stopped = entry.iterationsPlanned ? `Stopping task. ${entry.iterationsCompleted}`
      : entry.downstream ? "Cancelled the call to the next hop."
      : entry.query ? "Stopping query." : "Stopping.";
    logLine(`Client has disconnected. ${stopped}`, "stop");
  } else {
    logLine(`Ended: ${entry.outcome}`, entry.outcome === "completed" ? "done" : "stop");
  }
  if (entry.downstream) setTimeout(loadChain, 300); // hops on other servers are not in this feed: ask the ledger
  const outcome = $("server-outcome");
  outcome.dataset.outcome = entry.outcome;
  const progress = entry.iterationsPlanned ? ` after ${entry.iterationsCompleted} of ${entry.iterationsPlanned}` : "";
  outcome.textContent = `${entry.statusCode} ${entry.outcome} over ${entry.protocol}${progress}${latency}`;
}

function logLine(text, kind) {
  const li = document.createElement("li");
  li.textContent = text;
  if (kind) li.className = kind;
  $("server-log").append(li);
  li.scrollIntoView({ block: "nearest" });
}

function requestUrl() {
  const endpoint = $("endpoint").value;
  const url = new URL(endpoint, $("target").value);
  const visible = (name) => !$(name).closest("[data-for]")?.hidden;
  for (const name of ["hops", "downstreamProtocol", "leaf", "seconds", "kind"]) {
    if (visible(name)) url.searchParams.set(name, $(name).value);
  }
  if (endpoint === "/stream") {
    url.searchParams.set("intervalMs", $("stepMs").value);
    url.searchParams.set("durationMs", String($("iterations").value * $("stepMs").value));
  } else if (visible("iterations")) {
    url.searchParams.set("iterations", $("iterations").value);
    url.searchParams.set("stepMs", $("stepMs").value);
  }
  return url.toString();
}

function clientResult(text, kind) {
  state.clientEndAt = Date.now();
  renderWaterfall();
  const result = $("client-result");
  result.textContent = `${text} after ${((performance.now() - state.startedAt) / 1000).toFixed(2)} s`;
  result.dataset.state = kind;
  finish();
}

function received(bytes) {
  $("client-received").textContent = `Received ${bytes} bytes of body so far.`;
  $("client-received").dataset.bytes = String(bytes);
}

// What the client shows of a response: the start of a success; a problem's title and detail in full.
function answer(status, text) {
  if (status >= 200 && status < 300) return text.slice(0, 120);
  try {
    const problem = JSON.parse(text);
    if (problem.title) return [problem.title, problem.detail].filter(Boolean).join(": ");
  } catch { /* not a problem document */ }
  return text;
}

// XMLHttpRequest: the seed's client. xhr.abort() is the cancellation call site.
function startXhr(url) {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url);
  xhr.setRequestHeader("X-Request-Id", state.id);
  xhr.onprogress = () => received(xhr.responseText.length);
  xhr.onload = () => clientResult(`Status ${xhr.status}: ${answer(xhr.status, xhr.responseText)}`, xhr.status === 200 ? "completed" : "error");
  xhr.onerror = () => clientResult("Network error (status 0)", "error");
  xhr.onabort = () => clientResult("Aborted by xhr.abort() (status 0)", "aborted");
  xhr.send();
  return () => xhr.abort();
}

// fetch + AbortController: the modern client. Reads the body as it streams in.
function startFetch(url) {
  const controller = new AbortController();
  (async () => {
    try {
      const response = await fetch(url, { headers: { "X-Request-Id": state.id }, signal: controller.signal });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let bytes = 0, text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        // A success is shown by its start; a problem is read whole, since its detail says what to do.
        if (!response.ok || text.length < 120) text += decoder.decode(value, { stream: true });
        received(bytes);
      }
      clientResult(`Status ${response.status}: ${answer(response.status, text)}`, response.ok ? "completed" : "error");
    } catch (e) {
      if (e.name === "AbortError") clientResult("Aborted by AbortController.abort() (AbortError)", "aborted");
      else clientResult(`Failed: ${e.message}`, "error");
    }
  })();
  return () => controller.abort();
}

function start(event) {
  event.preventDefault();
  Object.assign(state, {
    id: `page-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    startedAt: performance.now(), lastIteration: 0, ended: false,
  });
  $("request-id").textContent = state.id;
  $("server-log").replaceChildren();
  $("server-outcome").textContent = "running…";
  $("server-outcome").dataset.outcome = "running";
  $("client-result").textContent = "Waiting for the response…";
  $("client-result").dataset.state = "running";
  $("client-received").textContent = "";
  Object.assign(state, { chain: new Map(), ticks: new Map(), clientStart: Date.now(), clientAbortAt: null, clientEndAt: null });
  renderWaterfall();
  const url = requestUrl();
  const abort = $("api").value === "fetch" ? startFetch(url) : startXhr(url);
  state.abort = () => { state.clientAbortAt = Date.now(); renderWaterfall(); abort(); };
  $("start").disabled = true;
  $("abort").disabled = false;
  const seconds = parseFloat($("autoAbort").value);
  if (seconds > 0) state.timer = setTimeout(() => state.abort && state.abort(), seconds * 1000);
}

function finish() {
  clearTimeout(state.timer);
  state.abort = null;
  $("start").disabled = $("sse-state").dataset.state !== "open";
  $("abort").disabled = true;
}

$("controls").addEventListener("submit", start);
$("abort").addEventListener("click", () => state.abort && state.abort());
// The seed's numbers: /http1 aborted after 7 s, /http2 after 6 s.
$("endpoint").addEventListener("change", () => {
  showFields();
  const seed = { "/http1": 7, "/http2": 6 }[$("endpoint").value];
  if (seed && $("autoAbort").value) $("autoAbort").value = seed;
});
$("leaf").addEventListener("change", showFields);

// Only the fields the chosen endpoint reads: the loop's for a loop (or a chain down to one), the statement's for
// /query (or a chain down to one), the hops' for /chain.
function showFields() {
  const endpoint = $("endpoint").value;
  const leaf = endpoint === "/chain" ? $("leaf").value : null;
  const uses = {
    loop: endpoint !== "/query" && leaf !== "query",
    query: endpoint === "/query" || leaf === "query",
    chain: endpoint === "/chain",
  };
  for (const field of document.querySelectorAll("[data-for]")) field.hidden = !uses[field.dataset.for];
}
// ---- The waterfall: one lane per process, live from the ledger --------------------------------------

function trackHop(entry) {
  const before = state.chain.get(entry.id);
  if ((before?.iterationsCompleted ?? 0) < entry.iterationsCompleted) {
    const ticks = state.ticks.get(entry.id) ?? [];
    ticks.push(Date.now());
    state.ticks.set(entry.id, ticks);
  }
  state.chain.set(entry.id, entry);
  renderWaterfall();
}

async function loadChain() {
  const id = state.id;
  try {
    const chain = await (await fetch(new URL(`/requests/${encodeURIComponent(id)}/chain`, $("target").value))).json();
    if (id === state.id && Array.isArray(chain)) for (const entry of chain) state.chain.set(entry.id, entry);
    renderWaterfall();
  } catch { /* the live lanes stay as they are */ }
}

// The chain in call order: the request, the hop it called, and so on.
function chainInOrder() {
  const ordered = [];
  for (let entry = state.chain.get(state.id); entry && ordered.length < 10; ) {
    ordered.push(entry);
    const childId = entry.downstream?.requestId;
    entry = childId ? state.chain.get(childId) : [...state.chain.values()].find((e) => e.parentId === entry.id);
  }
  return ordered;
}

function renderWaterfall() {
  const t0 = state.clientStart;
  if (!t0) return;
  const at = (iso) => (iso ? Date.parse(iso) : null);
  const lanes = [{ name: "client", label: "client (this page)", start: t0, end: state.clientEndAt, abort: state.clientAbortAt, stop: state.clientEndAt && state.clientAbortAt ? state.clientEndAt : null, ticks: [] }];
  chainInOrder().forEach((entry, i) => {
    lanes.push({
      name: i === 0 ? "edge" : `hop-${i}`, label: `${i === 0 ? "edge" : `hop ${i}`} ${entry.protocol} ${entry.outcome}`,
      start: at(entry.startedAt), end: at(entry.endedAt), abort: at(entry.abortObservedAt), stop: at(entry.stoppedAt), ticks: state.ticks.get(entry.id) ?? [],
    });
    const q = entry.query;
    if (q?.startedAt) {
      lanes.push({
        name: "database", label: `database ${q.api} ${q.ending ?? "running"}${q.sqlState ? ` (${q.sqlState})` : ""}`,
        start: at(q.startedAt), end: at(q.endedAt), abort: at(q.cancelRequestedAt), stop: q.ending === "cancelled" || q.ending === "broken" ? at(q.endedAt) : null, ticks: [],
      });
    }
  });
  const end = Math.max(Date.now(), ...lanes.map((l) => l.end ?? 0)) + 50;
  const pct = (t) => `${(((t - t0) / (end - t0)) * 100).toFixed(2)}%`;
  const since = (t) => (t == null || state.clientAbortAt == null ? "" : (t - state.clientAbortAt).toFixed(1));
  $("lanes").replaceChildren(...lanes.map((lane) => {
    const row = document.createElement("div");
    row.className = `lane ${lane.name}`;
    Object.assign(row.dataset, { lane: lane.name, noticedMs: since(lane.abort), stoppedMs: since(lane.stop) });
    const label = document.createElement("span");
    label.textContent = lane.label;
    const track = document.createElement("div");
    track.className = "track";
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.left = pct(lane.start ?? t0);
    bar.style.width = `calc(${pct(lane.end ?? Date.now())} - ${pct(lane.start ?? t0)})`;
    track.append(bar);
    const mark = (cls, t, text, title) => {
      if (t == null) return;
      const m = document.createElement("span");
      m.className = `mark ${cls}`;
      m.style.left = pct(t);
      m.textContent = text;
      m.title = title;
      track.append(m);
    };
    lane.ticks.forEach((t, i) => mark("tick", t, "|", `iteration ${i}`));
    mark("abort", lane.abort, "●", `the abort reached it (+${since(lane.abort)} ms)`);
    mark("stop", lane.stop, "■", `its work stopped (+${since(lane.stop)} ms)`);
    row.append(label, track);
    return row;
  }));
  const hops = lanes.slice(1);
  const summary = $("waterfall-summary");
  if (state.clientAbortAt && hops.length && hops.every((l) => l.stop)) {
    summary.textContent = `The abort reached every process: ${hops.map((l) => `${l.name} +${since(l.abort)} ms`).join(", ")}; ` +
      `all work had stopped +${Math.max(...hops.map((l) => Number(since(l.stop)))).toFixed(1)} ms after the abort.`;
    summary.dataset.state = "stopped";
  } else {
    summary.textContent = "";
    delete summary.dataset.state;
  }
}

showFields();
loadTargets().catch(() => $("target").replaceChildren(new Option(`this server (${location.origin})`, location.origin)));
watchLedger();
