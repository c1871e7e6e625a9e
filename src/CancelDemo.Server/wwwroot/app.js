// CancelDemo sample page: start a request with XHR or fetch, abort it, and watch the server's ledger
// (Server-Sent Events from /requests/events) show the work stop. Plain JS, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { id: null, abort: null, timer: null, startedAt: 0, lastIteration: 0, ended: false };

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
  if (entry.id !== state.id || state.ended) return;
  const unit = entry.path === "/stream" ? "Sent chunk" : "Working...";
  while (state.lastIteration < entry.iterationsCompleted) logLine(`${unit} ${state.lastIteration++}`);
  if (!entry.endedAt) return;
  state.ended = true;
  const latency = entry.abortToStopMs == null ? "" : `, abort-to-stop ${entry.abortToStopMs.toFixed(1)} ms`;
  if (entry.outcome === "clientAborted") {
    logLine(`Client has disconnected. Stopping task. ${entry.iterationsCompleted}`, "stop");
  } else {
    logLine(`Ended: ${entry.outcome}`, entry.outcome === "completed" ? "done" : "stop");
  }
  const outcome = $("server-outcome");
  outcome.dataset.outcome = entry.outcome;
  outcome.textContent = `${entry.statusCode} ${entry.outcome} over ${entry.protocol} after ${entry.iterationsCompleted} of ${entry.iterationsPlanned}${latency}`;
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
  if (endpoint === "/stream") {
    url.searchParams.set("intervalMs", $("stepMs").value);
    url.searchParams.set("durationMs", String($("iterations").value * $("stepMs").value));
  } else {
    url.searchParams.set("iterations", $("iterations").value);
    url.searchParams.set("stepMs", $("stepMs").value);
  }
  return url.toString();
}

function clientResult(text, kind) {
  const result = $("client-result");
  result.textContent = `${text} after ${((performance.now() - state.startedAt) / 1000).toFixed(2)} s`;
  result.dataset.state = kind;
  finish();
}

function received(bytes) {
  $("client-received").textContent = `Received ${bytes} bytes of body so far.`;
  $("client-received").dataset.bytes = String(bytes);
}

// XMLHttpRequest: the seed's client. xhr.abort() is the cancellation call site.
function startXhr(url) {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url);
  xhr.setRequestHeader("X-Request-Id", state.id);
  xhr.onprogress = () => received(xhr.responseText.length);
  xhr.onload = () => clientResult(`Status ${xhr.status}: ${xhr.responseText.slice(0, 120)}`, xhr.status === 200 ? "completed" : "error");
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
      let bytes = 0, text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        if (text.length < 120) text += new TextDecoder().decode(value);
        received(bytes);
      }
      clientResult(`Status ${response.status}: ${text.slice(0, 120)}`, response.ok ? "completed" : "error");
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
  const url = requestUrl();
  state.abort = $("api").value === "fetch" ? startFetch(url) : startXhr(url);
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
  const seed = { "/http1": 7, "/http2": 6 }[$("endpoint").value];
  if (seed && $("autoAbort").value) $("autoAbort").value = seed;
});
loadTargets().catch(() => $("target").replaceChildren(new Option(`this server (${location.origin})`, location.origin)));
watchLedger();
