#!/usr/bin/env node
// node-fetch.mjs: does the server notice when Node's global fetch (undici) gives up?
//
// Node 20's fetch speaks HTTP/1.1, and aborting a request in flight destroys its socket, so the
// server sees the connection close. Three ways to give up:
//   abort    controller.abort() after --after seconds, while waiting for /http1's response
//   timeout  fetch(url, { signal: AbortSignal.timeout(--after seconds) })
//   body     /stream: headers and some chunks arrive, then controller.abort() mid-body
// Then it polls the server's ledger (GET /requests/{id}) until the entry has ended and prints one
// JSON line. Exit code: 0 the server noticed (clientAborted), 2 it did not, 1 error.
//
//   node samples/clients/node-fetch.mjs http://127.0.0.1:8080 --way abort [--after 1.5]
//   (https://localhost:8081 works too, over HTTP/1.1, with NODE_EXTRA_CA_CERTS=<the server's PEM>)
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    way: { type: "string", default: "abort" },
    after: { type: "string", default: "1.5" },
    iterations: { type: "string", default: "40" },
    "step-ms": { type: "string", default: "250" },
  },
});
const WAYS = ["abort", "timeout", "body"];
const base = positionals[0];
const afterMs = Number(opts.after) * 1000;
if (!base || !WAYS.includes(opts.way) || !(afterMs > 0)) {
  console.error(`usage: node-fetch.mjs BASE_URL [--way ${WAYS.join("|")}] [--after SECONDS] [--iterations N] [--step-ms M]`);
  process.exit(1);
}

// ISO 8601 UTC with microseconds (Date alone has milliseconds).
const isoNow = () => {
  const ms = performance.timeOrigin + performance.now();
  const micros = String(Math.floor((ms % 1) * 1000)).padStart(3, "0");
  return new Date(Math.floor(ms)).toISOString().replace("Z", `${micros}Z`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const id = `node-fetch-${opts.way}-${randomBytes(4).toString("hex")}`;
const headers = { "X-Request-Id": id };
const iterations = Number(opts.iterations), stepMs = Number(opts["step-ms"]);
const url = opts.way === "body"
  ? new URL(`/stream?chunkBytes=1024&intervalMs=100&durationMs=${iterations * stepMs}`, base)
  : new URL(`/http1?iterations=${iterations}&stepMs=${stepMs}`, base);

async function giveUp() {
  if (opts.way === "timeout") {
    try {
      await fetch(url, { headers, signal: AbortSignal.timeout(afterMs) });
    } catch (e) {
      if (e.name !== "TimeoutError") throw e;
      return isoNow(); // the signal fired and fetch rejected
    }
    throw new Error("the request finished before the timeout");
  }
  const controller = new AbortController();
  const response = fetch(url, { headers, signal: controller.signal });
  if (opts.way === "body") {
    const reader = (await response).body.getReader(); // headers are here
    const until = Date.now() + afterMs;
    let bytes = 0;
    while (Date.now() < until) {
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended before the abort");
      bytes += value.length;
    }
    if (bytes === 0) throw new Error("no body arrived before the abort");
  } else {
    response.catch(() => {}); // rejected with AbortError below
    await sleep(afterMs);
  }
  const cancelledAt = isoNow();
  controller.abort(); // undici destroys the socket: HTTP/1.1 has no other way to cancel
  return cancelledAt;
}

async function waitForEnd() {
  const deadline = Date.now() + 15_000;
  let entry = null;
  while (Date.now() < deadline) {
    const r = await fetch(new URL(`/requests/${id}`, base));
    if (r.ok) {
      entry = await r.json();
      if (entry.endedAt) return entry;
    } else if (r.status !== 404) { // 404: not there yet
      throw new Error(`the ledger answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
    } else await r.body?.cancel();
    await sleep(100);
  }
  if (!entry) throw new Error(`the ledger has no entry ${id}`);
  return entry; // still running after 15 s: the server did not notice
}

try {
  const cancelledAt = await giveUp();
  const entry = await waitForEnd();
  const serverNoticed = entry.outcome === "clientAborted";
  console.log(JSON.stringify({
    client: "node-fetch", protocol: entry.protocol, way: opts.way, requestId: id, cancelledAt,
    serverOutcome: entry.outcome, serverNoticed,
  }));
  process.exit(serverNoticed ? 0 : 2);
} catch (e) {
  console.error(`node-fetch.mjs: ${e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ""}`);
  process.exit(1);
}
