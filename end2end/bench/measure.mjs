// `make bench-web`: measuring one page (web.mjs has the pages and the flow, report.mjs the tables).
// A visit runs on a throttled tab and reports
//   bytes  the sum of encodedDataLength (body + response headers, as received) from CDP
//          Network.loadingFinished of the requests that the page started before the probe's
//          first action (requests caused by the probe itself are not counted; those started
//          before it are waited for and counted even when they end after it);
//   ms     from navigation start to interactive: performance.now() in the page (its time origin is
//          the start of the navigation) when the probe's reaction appeared in the DOM, caught by a
//          MutationObserver. Interactive = <body data-hydrated="true"> (set by the app once it has
//          hydrated) and then the page's probe reacted: the probe acts (click, typing) every
//          ~100 ms until it does, so a page that hydrates its part late is caught too.

export const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3500";
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "";
/** The throttled link: 40 ms latency, 20 Mbit/s down, 5 Mbit/s up (CDP wants bytes/s). */
export const LINK = { offline: false, latency: 40, downloadThroughput: 2_500_000, uploadThroughput: 625_000 };
/** How long a page may take to hydrate, or its probe to react, before the run is given up. */
const PAGE_TIMEOUT_MS = 60_000;
/**
 * Chromium's network emulation (Debian's 156) now and then stops delivering data altogether: the
 * server's socket fills up (the browser no longer reads it) and nothing arrives, for good. Seen
 * with both Network.emulateNetworkConditions and emulateNetworkConditionsByRule, in up to half of
 * the throttled loads of the org page (~200 requests), rarely with ~80, never unthrottled. A visit
 * whose open requests get no data for STALL_MS is abandoned and its page measured again in a new
 * context, up to MAX_ATTEMPTS times; the report lists these.
 */
export const STALL_MS = 5000;
const MAX_ATTEMPTS = 8;
class Stalled extends Error {}
/** The stalls met so far, one line each, for the report. */
export const stalls = [];

/** Records <body data-hydrated="true"> in every document, from before its scripts run. */
function initScript() {
  const bench = (window.__bench = { hydratedAt: null, reactedAt: null });
  const seen = () => {
    if (bench.hydratedAt === null && document.body?.getAttribute("data-hydrated") === "true") {
      bench.hydratedAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
}

/** In-page source: from now on, record when `reacted()` first holds (window.__bench.reactedAt). */
function watchSource(reacted) {
  return `(() => {
    const reacted = ${reacted.toString()};
    const bench = window.__bench;
    const check = () => {
      if (bench.reactedAt === null && reacted()) {
        bench.reactedAt = performance.now();
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    check();
  })()`;
}

/** A request's path, shortened for messages and tables. */
export const shortUrl = (url) => {
  const u = new URL(url);
  return u.pathname.length > 60 ? `${u.pathname.slice(0, 57)}...` : u.pathname + (u.search ? "?…" : "");
};

/** Network events of one tab, per request, from a CDP session of its own. */
class Recorder {
  constructor(cdp) {
    this.requests = new Map();
    this.probing = false; // set when the probe first acts: later requests are the probe's
    this.docStart = null;
    this.lastProgress = Date.now(); // the last response, data or end of any request
    const progress = () => (this.lastProgress = Date.now());
    cdp.on("Network.dataReceived", progress);
    cdp.on("Network.responseReceived", progress);
    cdp.on("Network.loadingFinished", progress);
    cdp.on("Network.loadingFailed", progress);
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.request.url.startsWith("data:")) return;
      const known = this.requests.get(e.requestId);
      if (known) {
        known.url = e.request.url; // a redirect: the same request goes on
        known.redirects += 1;
        return;
      }
      if (e.type === "Document" && this.docStart === null) this.docStart = e.timestamp;
      this.requests.set(e.requestId, {
        url: e.request.url,
        method: e.request.method,
        type: e.type,
        start: e.timestamp,
        end: null,
        afterProbe: this.probing,
        redirects: 0,
        status: null,
        encoding: null,
        cache: null,
        bytes: 0,
        failed: null,
      });
    });
    cdp.on("Network.requestServedFromCache", (e) => {
      const r = this.requests.get(e.requestId);
      if (r) r.cache = "memory";
    });
    cdp.on("Network.responseReceived", (e) => {
      const r = this.requests.get(e.requestId);
      if (!r) return;
      const res = e.response;
      r.status = res.status;
      const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      r.encoding = headers["content-encoding"] ?? null;
      r.cacheControl = headers["cache-control"] ?? null;
      if (res.fromDiskCache) r.cache = "disk";
      else if (res.fromPrefetchCache) r.cache = "prefetch";
      else if (res.fromServiceWorker) r.cache = "service worker";
    });
    cdp.on("Network.loadingFinished", (e) => {
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.end = e.timestamp;
      r.bytes = e.encodedDataLength;
    });
    cdp.on("Network.loadingFailed", (e) => {
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.end = e.timestamp;
      r.failed = e.canceled ? "canceled" : e.errorText;
    });
  }

  /** The page load's requests: those started before the probe first acted. */
  load() {
    return [...this.requests.values()].filter((r) => !r.afterProbe);
  }

  /** Open requests that have made no progress for STALL_MS: a Stalled error; else null. */
  stalled() {
    const open = [...this.requests.values()].filter((r) => r.end === null);
    if (!open.length || Date.now() - this.lastProgress < STALL_MS) return null;
    return new Stalled(`no data for ${STALL_MS / 1000} s with ${open.length} requests open (first: ${shortUrl(open[0].url)})`);
  }

  /** Until every request of the page load has ended. */
  async settled() {
    while (this.load().some((r) => r.end === null)) {
      const stall = this.stalled();
      if (stall) throw stall;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Waits for <body data-hydrated="true">. Gives up PAGE_TIMEOUT_MS after the navigation, or 5 s
 * after an uncaught error in the page (an app that failed to start does not hydrate later).
 */
async function hydrated(page, rec = null) {
  let onError;
  let timer;
  const crashed = new Promise((_, reject) => {
    onError = (e) => setTimeout(() => reject(new Error(`not hydrated 5 s after a page error: ${e.message}`)), 5000);
    page.once("pageerror", onError);
    // Stalled network emulation (see STALL_MS).
    timer = setInterval(() => {
      const stall = rec?.stalled();
      if (stall) reject(stall);
    }, 250);
  });
  crashed.catch(() => {});
  try {
    await Promise.race([
      page.waitForFunction(() => window.__bench?.hydratedAt != null, null, { timeout: PAGE_TIMEOUT_MS, polling: 50 }),
      crashed,
    ]);
  } finally {
    clearInterval(timer);
    page.off("pageerror", onError);
  }
}

/** Signs in through the form on a tab of its own (not throttled, not measured), then closes it. */
async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await hydrated(page);
  await page.getByLabel("Username", { exact: true }).fill("david");
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login", { timeout: PAGE_TIMEOUT_MS });
  await page.close();
}

/**
 * One visit of `spec` on a new, throttled tab of `context`: navigation, hydration, probe.
 * Returns { ms, hydratedMs, bytes, requests, probeRequests, console, url }.
 */
async function visit(context, spec, { clearCache }) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const rec = new Recorder(cdp);
  // Console errors and warnings; those after the probe acted may be its doing (the sign-in probe's
  // refused login answers 422, which Chromium logs).
  const messages = [];
  const when = () => (rec.probing ? " (after the probe)" : "");
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") messages.push(`${m.type()}${when()}: ${m.text().slice(0, 300)}`);
  });
  page.on("pageerror", (e) => messages.push(`page error${when()}: ${e.message}`));
  await cdp.send("Network.enable");
  if (clearCache) await cdp.send("Network.clearBrowserCache");
  await cdp.send("Network.emulateNetworkConditions", LINK);
  const fail = async (what) => {
    const all = [...rec.requests.values()];
    const failed = all.filter((r) => r.failed || r.status >= 400);
    const pending = all.filter((r) => r.end === null);
    const body = await page.evaluate(() => document.body?.getAttribute("data-hydrated")).catch((e) => `(${e.message})`);
    const lines = [
      `${spec.name} (${spec.path}): ${what}`,
      `  page URL: ${page.url()}; body data-hydrated: ${body}; ${all.length} requests, ${pending.length} unfinished`,
      ...messages.map((m) => `  console ${m}`),
      ...failed.map((r) => `  request ${r.method} ${r.url}: ${r.failed ?? r.status}`),
      ...pending.map((r) => `  unfinished: ${r.method} ${r.url}`),
    ];
    return new Error(lines.join("\n"));
  };
  try {
    await page.goto(BASE + spec.path, { waitUntil: "commit", timeout: PAGE_TIMEOUT_MS });
    try {
      await hydrated(page, rec);
    } catch (e) {
      if (e instanceof Stalled) throw e;
      throw await fail(`no <body data-hydrated="true">: ${e.message.split("\n")[0]}`);
    }
    const path = new URL(page.url()).pathname;
    if (path !== spec.path) throw await fail(`landed on ${path} instead`);

    await page.evaluate(watchSource(spec.probe.reacted));
    rec.probing = true;
    const deadline = Date.now() + PAGE_TIMEOUT_MS;
    let lastError = null;
    for (;;) {
      try {
        await spec.probe.act(page);
      } catch (e) {
        lastError = e; // e.g. the element is not there yet
      }
      try {
        await page.waitForFunction(() => window.__bench.reactedAt !== null, null, { timeout: 100, polling: "raf" });
        break;
      } catch {
        if (Date.now() > deadline) throw await fail(`the probe never reacted${lastError ? ` (last error: ${lastError.message.split("\n")[0]})` : ""}`);
      }
    }
    const times = await page.evaluate(() => window.__bench);
    await rec.settled();
    const load = rec.load();
    const requests = load.map((r) => ({
      ...r,
      startMs: rec.docStart === null ? null : Math.round((r.start - rec.docStart) * 1000),
      endMs: rec.docStart === null || r.end === null ? null : Math.round((r.end - rec.docStart) * 1000),
    }));
    return {
      url: page.url(),
      ms: times.reactedAt,
      hydratedMs: times.hydratedAt,
      bytes: load.reduce((sum, r) => sum + r.bytes, 0),
      requests,
      probeRequests: [...rec.requests.values()].filter((r) => r.afterProbe).map((r) => `${r.method} ${shortUrl(r.url)}`),
      console: messages,
    };
  } finally {
    await page.close();
  }
}

/** Both visits of one page in a fresh context; again in a new one when the network stalled. */
export async function measure(browser, spec) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measureOnce(browser, spec);
    } catch (e) {
      if (!(e instanceof Stalled) || attempt >= MAX_ATTEMPTS) throw e;
      stalls.push(`${spec.name}: ${e.message.split("\n")[0]}`);
      console.error(`==> ${spec.name}: Chromium's throttled network stalled (${e.message.split("\n")[0]}); measuring again`);
    }
  }
}

async function measureOnce(browser, spec) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  await context.addInitScript(initScript);
  // What went wrong in any tab of the context, for the message when the run fails.
  const trouble = [];
  const at = (page) => new URL(page.url()).pathname;
  context.on("console", (m) => {
    if (m.type() === "error") trouble.push(`${at(m.page())}: console error: ${m.text().slice(0, 300)}`);
  });
  context.on("weberror", (e) => trouble.push(`page error: ${e.error().message.slice(0, 300)}`));
  context.on("requestfailed", (r) => trouble.push(`${r.method()} ${r.url()} failed: ${r.failure()?.errorText}`));
  context.on("response", (r) => {
    if (r.status() >= 400) trouble.push(`${r.request().method()} ${r.url()}: HTTP ${r.status()}`);
  });
  try {
    if (spec.signIn) {
      try {
        await signIn(context);
      } catch (e) {
        throw new Error(`signing in as david for ${spec.name}: ${e.message.split("\n")[0]}`);
      }
    }
    // A fresh context starts with an empty cache; after signing in, the cache is emptied again.
    const first = await visit(context, spec, { clearCache: spec.signIn });
    const repeat = await visit(context, spec, { clearCache: false });
    return { first, repeat };
  } catch (e) {
    const seen = [...new Set(trouble)];
    e.message += seen.length ? `\nseen in the browser:\n${seen.slice(0, 40).map((t) => `  ${t}`).join("\n")}` : "";
    throw e;
  } finally {
    await context.close();
  }
}
