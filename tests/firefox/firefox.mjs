#!/usr/bin/env node
// firefox.mjs: drives the CancelDemo sample page in real Firefox (headless, WebDriver BiDi through
// puppeteer-core) for the C# integration tests, which run it as a child process:
//
//   node firefox.mjs abort ORIGIN ENDPOINT API ITERATIONS STEP_MS AFTER_ITERATIONS SCREENSHOT
//   node firefox.mjs close-tab ORIGIN ITERATIONS STEP_MS AFTER_ITERATIONS
//   node firefox.mjs stream-abort ORIGIN API SCREENSHOT
//
// ORIGIN is a server listener (http://127.0.0.1:8080/ or https://127.0.0.1:8081/; the self-signed
// certificate is accepted), ENDPOINT /http1 or /http2, API xhr or fetch. Each command prints one JSON
// line (request ids, timestamps, what the page showed, timings) and exits 0, or prints an error to
// stderr and exits 1. Firefox gets a fresh temporary profile, removed at the end, and preferences
// that keep it from making any connection other than to ORIGIN.
// Setup: `PUPPETEER_SKIP_DOWNLOAD=1 npm ci` (puppeteer-core downloads nothing anyway); FIREFOX overrides
// the browser (default /usr/bin/firefox-esr).
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";

const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
const WAIT_TIMEOUT_MS = 30_000; // every single wait
const COMMAND_TIMEOUT_MS = 120_000; // the whole command, Firefox start included

// No connection anywhere but the page's origin: no remote settings, DoH, captive-portal or
// connectivity checks, telemetry, studies, updates, safe browsing, push, geolocation, region lookup,
// prefetching or speculative connections. (puppeteer adds its own test prefs on top.)
const PREFS = {
  "services.settings.server": "data:,#remote-settings-dummy/v1",
  "network.trr.mode": 5,
  "network.proxy.type": 0,
  "network.captive-portal-service.enabled": false,
  "captivedetect.canonicalURL": "",
  "network.connectivity-service.enabled": false,
  "toolkit.telemetry.enabled": false,
  "toolkit.telemetry.unified": false,
  "toolkit.telemetry.archive.enabled": false,
  "toolkit.telemetry.server": "data:,",
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "browser.ping-centre.telemetry": false,
  "app.normandy.enabled": false,
  "app.normandy.api_url": "",
  "app.shield.optoutstudies.enabled": false,
  "messaging-system.rsexperimentloader.enabled": false,
  "app.update.auto": false,
  "app.update.url": "",
  "extensions.update.enabled": false,
  "extensions.systemAddon.update.enabled": false,
  "extensions.blocklist.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "media.gmp-manager.updateEnabled": false,
  "browser.search.update": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.downloads.remote.enabled": false,
  "browser.safebrowsing.blockedURIs.enabled": false,
  "browser.safebrowsing.provider.google4.updateURL": "",
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "dom.push.enabled": false,
  "dom.push.connection.enabled": false,
  "geo.enabled": false,
  "geo.provider.network.url": "",
  "browser.region.network.url": "",
  "browser.region.update.enabled": false,
  "network.prefetch-next": false,
  "network.dns.disablePrefetch": true,
  "network.predictor.enabled": false,
  "network.http.speculative-parallel-limit": 0,
  "browser.urlbar.speculativeConnect.enabled": false,
  "browser.places.speculativeConnect.enabled": false,
  "security.OCSP.enabled": 0,
  "security.remote_settings.crlite_filters.enabled": false,
  "security.remote_settings.intermediates.enabled": false,
  "browser.newtabpage.activity-stream.feeds.topsites": false,
  "browser.topsites.contile.enabled": false,
  "browser.tabs.closeWindowWithLastTab": false,
};

const APIS = ["xhr", "fetch"];
// ISO 8601 UTC with microseconds, comparable with the ledger's timestamps.
const now = () => {
  const ms = performance.timeOrigin + performance.now();
  const micros = String(Math.floor((ms % 1) * 1000)).padStart(3, "0");
  return new Date(Math.floor(ms)).toISOString().replace("Z", `${micros}Z`);
};
const patience = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());
const oneOf = (text, name, allowed) => {
  if (!allowed.includes(text)) throw new Error(`${name} must be one of ${allowed.join(", ")}, not '${text}'`);
  return text;
};
const url = (text) => {
  const u = URL.canParse(text) ? new URL(text) : null;
  if (!u || !["http:", "https:"].includes(u.protocol)) throw new Error(`ORIGIN must be an http:// or https:// URL, not '${text}'`);
  return u.toString();
};
const int = (text, name) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not '${text}'`);
  return n;
};

// ---- The sample page, driven the way SamplePage.cs drives it in Chromium -----------------------------

async function openSamplePage(browser, origin) {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_TIMEOUT_MS);
  try {
    await page.goto(origin, { waitUntil: "load" });
    // Start is enabled once the ledger's event stream is open, so no server event is missed.
    await page.waitForSelector("#sse-state[data-state=open]");
    await page.waitForSelector("#start:enabled");
  } catch (error) {
    throw new Error(`the sample page at ${origin} did not get ready: ${error.message}`);
  }
  return page;
}

/** Fills the form and clicks Start; returns the request id the page sent. */
async function start(page, endpoint, api, iterations, stepMs) {
  await page.select("#endpoint", endpoint);
  await page.select("#api", api);
  for (const [id, value] of [["#iterations", iterations], ["#stepMs", stepMs]]) {
    await page.$eval(id, (input, v) => {
      input.value = v;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }, String(value));
  }
  await page.waitForSelector("#start:enabled");
  await page.click("#start");
  await page.waitForFunction(() => document.getElementById("request-id").textContent !== "-");
  return page.$eval("#request-id", (e) => e.textContent);
}

/**
 * What the page shows of the request, for an error message, and the browser's own timing of every request the page
 * made (Resource Timing): when the response's first and last bytes arrived, and over which protocol.
 */
function pageState(page) {
  return page.evaluate(() => ({
    ...Object.fromEntries(["request-id", "client-received", "client-result", "server-outcome", "sse-state"]
      .map((id) => [id, `${document.getElementById(id).textContent} ${JSON.stringify(document.getElementById(id).dataset)}`])),
    resources: performance.getEntriesByType("resource").filter((r) => !/\.(js|css)$/.test(new URL(r.name).pathname)).map((r) => ({
      url: r.name, protocol: r.nextHopProtocol, startMs: Math.round(r.startTime),
      firstByteMs: Math.round(r.responseStart), endMs: Math.round(r.responseEnd), bytes: r.transferSize,
    })),
  }));
}

/** Waits until the server's ledger (shown live on the page) says how the request ended. */
async function serverOutcome(page) {
  await page.waitForFunction(() => !["", "running"].includes(document.getElementById("server-outcome").dataset.outcome));
  return page.evaluate(() => ({
    serverOutcome: document.getElementById("server-outcome").dataset.outcome,
    serverText: document.getElementById("server-outcome").textContent,
    clientState: document.getElementById("client-result").dataset.state,
  }));
}

async function screenshot(page, file) {
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}

/** Waits until the page's live server log (the ledger's feed) shows at least N iterations done. */
async function serverIterations(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll("#server-log li").length >= n, { polling: 20 }, n);
}

/** Reads the ledger from inside the browser (same origin), until the entry has ended. */
async function ledgerEntry(page, id) {
  const handle = await page.waitForFunction(async (id) => {
    const response = await fetch(`/requests/${encodeURIComponent(id)}`, { cache: "no-store" });
    const entry = response.ok ? await response.json() : null;
    return entry?.endedAt ? entry : false;
  }, { polling: 100 }, id);
  return handle.jsonValue();
}

// ---- Commands: each checks its arguments before Firefox starts, then runs ---------------------------

const commands = {
  abort: {
    usage: "ORIGIN ENDPOINT API ITERATIONS STEP_MS AFTER_ITERATIONS SCREENSHOT",
    parse: ([origin, endpoint, api, iterations, stepMs, after, screenshot]) => ({
      origin: url(origin), endpoint: oneOf(endpoint, "ENDPOINT", ["/http1", "/http2"]), api: oneOf(api, "API", APIS),
      iterations: int(iterations, "ITERATIONS"), stepMs: int(stepMs, "STEP_MS"), after: int(after, "AFTER_ITERATIONS"),
      screenshot: path.resolve(screenshot),
    }),
    async run(browser, o) {
      const page = await openSamplePage(browser, o.origin);
      const requestId = await start(page, o.endpoint, o.api, o.iterations, o.stepMs);
      const startedAt = now();
      let step = `waiting for ${o.after} iterations in the live server log`;
      try {
        await serverIterations(page, o.after);
        const clickedAt = now();
        step = "clicking Abort";
        await page.click("#abort");
        step = "waiting for the server's outcome";
        const seen = await serverOutcome(page);
        await screenshot(page, o.screenshot);
        return { requestId, startedAt, clickedAt, ...seen, screenshot: o.screenshot };
      } catch (error) {
        throw new Error(`${step} (request ${requestId}): ${error.message}; the page showed: ${JSON.stringify(await pageState(page))}`);
      }
    },
  },

  "close-tab": {
    usage: "ORIGIN ITERATIONS STEP_MS AFTER_ITERATIONS",
    parse: ([origin, iterations, stepMs, after]) => ({
      origin: url(origin), iterations: int(iterations, "ITERATIONS"), stepMs: int(stepMs, "STEP_MS"), after: int(after, "AFTER_ITERATIONS"),
    }),
    async run(browser, o) {
      // A second tab, opened first, reads the ledger afterwards: the browser stays up, so only the
      // closed tab can have told the server.
      const probe = await browser.newPage();
      probe.setDefaultTimeout(WAIT_TIMEOUT_MS);
      const page = await openSamplePage(browser, o.origin);
      const requestId = await start(page, "/http1", "fetch", o.iterations, o.stepMs);
      const startedAt = now();
      await serverIterations(page, o.after);
      const closedAt = now();
      await page.close();
      await probe.goto(new URL("/listeners", o.origin).toString());
      const entry = await ledgerEntry(probe, requestId);
      return {
        requestId, startedAt, closedAt, serverOutcome: entry.outcome, protocol: entry.protocol,
        abortObservedAt: entry.abortObservedAt, abortToStopMs: entry.abortToStopMs,
      };
    },
  },

  "stream-abort": {
    usage: "ORIGIN API SCREENSHOT",
    parse: ([origin, api, screenshot]) => ({ origin: url(origin), api: oneOf(api, "API", APIS), screenshot: path.resolve(screenshot) }),
    async run(browser, o) {
      const page = await openSamplePage(browser, o.origin);
      const requestId = await start(page, "/stream", o.api, 100, 100);
      // Headers and body have arrived; abort once three 1 KiB chunks are in, as the Chromium test does.
      let step = "waiting for the first bytes of /stream";
      try {
        await page.waitForSelector("#client-received[data-bytes]");
        step = "waiting for three chunks of /stream";
        await page.waitForFunction(() => Number(document.getElementById("client-received").dataset.bytes) >= 3 * 1024);
      } catch (error) {
        throw new Error(`${step} (request ${requestId}): ${error.message}; the page showed: ${JSON.stringify(await pageState(page))}`);
      }
      const bytesAtAbort = Number(await page.$eval("#client-received", (e) => e.dataset.bytes));
      const clickedAt = now();
      await page.click("#abort");
      const seen = await serverOutcome(page);
      // The next request from the same page: HTTP/2 reuses the connection, HTTP/1.1 needs a new one.
      const nextRequestId = await start(page, "/http1", o.api, 1, 1);
      const next = await serverOutcome(page);
      await screenshot(page, o.screenshot);
      return { requestId, clickedAt, bytesAtAbort, ...seen, nextRequestId, nextOutcome: next.serverOutcome, screenshot: o.screenshot };
    },
  },
};

// ---- Firefox: a fresh profile, launched and always closed -------------------------------------------

async function main() {
  const [name, ...args] = process.argv.slice(2);
  const command = Object.hasOwn(commands, name) ? commands[name] : null;
  if (!command || args.length !== command.usage.split(" ").length) {
    const lines = Object.entries(commands).map(([n, c]) => `node firefox.mjs ${n} ${c.usage}`);
    console.error(`usage: ${lines.join("\n   or: ")}`);
    process.exit(1);
  }
  let options;
  try {
    options = command.parse(args);
  } catch (error) {
    console.error(`firefox.mjs ${name}: ${error.message}`);
    process.exit(1);
  }
  const began = performance.now();
  const profile = await mkdtemp(path.join(tmpdir(), "canceldemo-firefox-"));
  let launching = null;
  let cleaning = null;
  // Close Firefox (killed if it takes more than 10 s) and remove the profile; once, whatever called it.
  // A launch still under way is waited for (puppeteer kills the browser itself if the launch fails).
  const cleanUp = () => (cleaning ??= (async () => {
    const browser = launching && await Promise.race([launching.catch(() => null), patience(WAIT_TIMEOUT_MS + 5_000)]);
    const child = browser?.process();
    try {
      if (browser) await Promise.race([browser.close().catch(() => {}), patience(10_000)]);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) killGroup(child);
      await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  })());
  let failed = false;
  const fail = async (error) => {
    if (failed) return; // already on its way out
    failed = true;
    console.error(`firefox.mjs ${name}: ${error.message}`);
    await cleanUp().catch(() => {});
    process.exit(1);
  };
  const watchdog = setTimeout(() => fail(new Error(`gave up after ${COMMAND_TIMEOUT_MS / 1000} s`)), COMMAND_TIMEOUT_MS);
  for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => fail(new Error(`stopped by ${signal}`)));

  try {
    launching = puppeteer.launch({
      browser: "firefox",
      executablePath: FIREFOX,
      headless: true,
      acceptInsecureCerts: true,
      defaultViewport: { width: 1280, height: 900 },
      userDataDir: profile,
      extraPrefsFirefox: PREFS,
      env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: "1", MOZ_CRASHREPORTER_DISABLE: "1" },
      timeout: WAIT_TIMEOUT_MS,
      protocolTimeout: WAIT_TIMEOUT_MS,
      // Signals are handled above, so the profile is removed too.
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    const browser = await launching;
    const launchMs = performance.now() - began;
    const version = await browser.version();
    const result = await command.run(browser, options);
    const commandMs = performance.now() - began - launchMs;
    const closing = performance.now();
    await cleanUp();
    const timings = {
      launchMs: Math.round(launchMs), commandMs: Math.round(commandMs),
      closeMs: Math.round(performance.now() - closing), totalMs: Math.round(performance.now() - began),
    };
    console.log(JSON.stringify({ command: name, browser: version, ...result, ...timings }));
  } catch (error) {
    await fail(error);
  } finally {
    clearTimeout(watchdog);
  }
}

function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL"); // puppeteer starts Firefox in its own process group
  } catch {
    child.kill("SIGKILL");
  }
}

await main();
