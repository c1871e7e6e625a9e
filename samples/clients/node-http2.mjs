#!/usr/bin/env node
// node-http2.mjs: cancel ONE HTTP/2 stream (RST_STREAM) and leave its sibling running.
//
// Node's http2 module opens one session (h2c with prior knowledge for http://, TLS with ALPN h2 for
// https://) and starts two streams on it: a victim (/http1, 40 x 250 ms) and a sibling
// (/http1, 8 x 250 ms). After --after seconds the victim is closed with
// req.close(http2.constants.NGHTTP2_CANCEL), which sends RST_STREAM(CANCEL) for that stream only.
// The ledger (read over the same session) should show the victim clientAborted, the sibling
// completed, and both on one connection id. Prints one JSON line. Exit code: 0 the server noticed
// the victim's abort, 2 it did not, 1 error.
//
//   node samples/clients/node-http2.mjs http://127.0.0.1:8082
//   node samples/clients/node-http2.mjs https://localhost:8081 --cacert ~/.local/share/CancelDemo/localhost.pem
import http2 from "node:http2";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    after: { type: "string", default: "1.5" },
    cacert: { type: "string" },
    iterations: { type: "string", default: "40" },
    "step-ms": { type: "string", default: "250" },
  },
});
const base = positionals[0];
const afterMs = Number(opts.after) * 1000;
if (!base || !(afterMs > 0)) {
  console.error("usage: node-http2.mjs BASE_URL [--cacert PEM] [--after SECONDS] [--iterations N] [--step-ms M]");
  process.exit(1);
}

const isoNow = () => {
  const ms = performance.timeOrigin + performance.now();
  const micros = String(Math.floor((ms % 1) * 1000)).padStart(3, "0");
  return new Date(Math.floor(ms)).toISOString().replace("Z", `${micros}Z`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One GET on the session; resolves with { status, body }.
function get(session, path, id) {
  return new Promise((resolve, reject) => {
    const req = session.request({ ":path": path, ...(id && { "x-request-id": id }) });
    let status = 0, body = "";
    req.setEncoding("utf8");
    req.on("response", (headers) => { status = headers[":status"]; });
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => resolve({ status, body }));
    req.on("error", reject);
  });
}

async function waitForEnd(session, id) {
  const deadline = Date.now() + 15_000;
  let entry = null;
  while (Date.now() < deadline) {
    const { status, body } = await get(session, `/requests/${id}`);
    if (status === 200) {
      entry = JSON.parse(body);
      if (entry.endedAt) return entry;
    } else if (status !== 404) { // 404: not there yet
      throw new Error(`the ledger answered ${status}: ${body.slice(0, 200)}`);
    }
    await sleep(100);
  }
  if (!entry) throw new Error(`the ledger has no entry ${id}`);
  return entry; // still running after 15 s
}

const session = http2.connect(base, opts.cacert ? { ca: readFileSync(opts.cacert) } : {});
try {
  await new Promise((resolve, reject) => { session.once("connect", resolve); session.once("error", reject); });
  session.on("error", (e) => { console.error(`node-http2.mjs: session error: ${e.message}`); process.exit(1); });
  setTimeout(() => { console.error("node-http2.mjs: gave up after 40 s"); process.exit(1); }, afterMs + 40_000).unref();
  const tag = randomBytes(4).toString("hex");
  const victimId = `node-http2-victim-${tag}`, siblingId = `node-http2-sibling-${tag}`;

  const victim = session.request({
    ":path": `/http1?iterations=${opts.iterations}&stepMs=${opts["step-ms"]}`, "x-request-id": victimId,
  });
  victim.on("error", () => {}); // closing it ourselves is the point
  victim.resume();
  const sibling = get(session, "/http1?iterations=8&stepMs=250", siblingId);
  sibling.catch(() => {}); // awaited below

  await sleep(afterMs);
  const cancelledAt = isoNow();
  victim.close(http2.constants.NGHTTP2_CANCEL); // RST_STREAM(CANCEL) for this stream only
  await new Promise((resolve) => victim.once("close", resolve));

  const [v, s] = [await waitForEnd(session, victimId), await waitForEnd(session, siblingId)];
  await sibling; // the sibling's response arrived on the same session
  const serverNoticed = v.outcome === "clientAborted";
  console.log(JSON.stringify({
    client: "node-http2", protocol: v.protocol, way: "rst-stream", requestId: victimId, cancelledAt,
    serverOutcome: v.outcome, serverNoticed,
    siblingId, siblingOutcome: s.outcome, sameConnection: v.connectionId === s.connectionId,
  }));
  process.exitCode = serverNoticed ? 0 : 2;
} catch (e) {
  console.error(`node-http2.mjs: ${e.message}`);
  process.exitCode = 1;
  session.destroy();
} finally {
  session.close();
}
