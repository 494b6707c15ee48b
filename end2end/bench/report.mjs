// `make bench-web`: the report on stdout (tables, requests, targets) from the measured visits.
import { BASE, LINK, STALL_MS, shortUrl, stalls } from "./measure.mjs";

const KB = 1000;
export const kb = (b) => (b / KB).toFixed(1);
const ms = (t) => t.toFixed(0);

/** The site's built files (the server keeps them under /pkg/). */
const isAsset = (url) => {
  const path = new URL(url).pathname;
  return path.startsWith("/pkg/") || /\.(wasm|js|css)$/.test(path);
};
/** The many small shared chunks of the split build, shown as one line per visit. */
const isSharedChunk = (url) => /^\/pkg\/chunk_\d+\./.test(new URL(url).pathname);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Requests of a repeat visit that fetched a .wasm/.js/.css file over the network. */
const assetsFromNetwork = (v) =>
  v.requests.filter((r) => isAsset(r.url) && r.cache === null && !r.failed);

/**
 * Prints the report of `results` (page key → one { first, repeat } per run) for `pages`: medians,
 * the requests of the last run, what was noticed, then the targets.
 */
export function report(results, pages, runs) {
  const med = (key, visit, field) => median(results[key].map((r) => r[visit][field]));
  printMedians(pages, runs, med);
  printRequests(results, pages);
  printNotes(results, pages);
  printTargets(results, pages, runs, med);
}

function printMedians(pages, runs, med) {
  const row = (...cells) => {
    const widths = [20, 10, 10, 10, 10, 12, 12];
    return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(" ");
  };

  console.log();
  console.log(`Web benchmark: Chromium (headless) against ${BASE}, link ${LINK.latency} ms latency, ` +
    `${(LINK.downloadThroughput * 8) / 1e6} Mbit/s down, ${(LINK.uploadThroughput * 8) / 1e6} Mbit/s up`);
  console.log(`Medians of ${runs} runs (after a warm-up round). KB = 1000 bytes transferred (encodedDataLength: ` +
    "bodies as sent plus response headers).");
  console.log("ms: navigation start to interactive (body data-hydrated and the page's probe reacted), " +
    "performance.now() in the page.");
  console.log();
  console.log(row("page", "first KB", "first ms", "repeat KB", "repeat ms", "hydr. first", "hydr. repeat"));
  for (const spec of pages) {
    console.log(row(`${spec.name}`, kb(med(spec.key, "first", "bytes")), ms(med(spec.key, "first", "ms")),
      kb(med(spec.key, "repeat", "bytes")), ms(med(spec.key, "repeat", "ms")),
      ms(med(spec.key, "first", "hydratedMs")), ms(med(spec.key, "repeat", "hydratedMs"))));
  }
  console.log("(hydr.: when <body data-hydrated=\"true\"> appeared, ms from navigation start)");
  for (const spec of pages) console.log(`  ${spec.name.padEnd(18)} ${spec.path}`);
}

/** Where the bytes and the time of a visit go: the requests of the last run. */
function printRequests(results, pages) {
  console.log();
  console.log("First visits, last run: each request (start-end ms after the document request, KB, encoding)");
  for (const spec of pages) {
    const v = results[spec.key].at(-1).first;
    console.log(`  ${spec.name}: ${kb(v.bytes)} KB, interactive at ${ms(v.ms)} ms (hydrated at ${ms(v.hydratedMs)} ms)`);
    const sorted = [...v.requests].sort((a, b) => a.start - b.start);
    const chunks = sorted.filter((r) => isSharedChunk(r.url));
    let chunksShown = false;
    for (const r of sorted) {
      if (isSharedChunk(r.url)) {
        if (chunksShown) continue;
        chunksShown = true; // all of them on one line, where the first one started
        const span = `${Math.min(...chunks.map((c) => c.startMs))}-${Math.max(...chunks.map((c) => c.endMs ?? 0))}`;
        const bytes = chunks.reduce((sum, c) => sum + c.bytes, 0);
        const encodings = [...new Set(chunks.map((c) => c.encoding ?? "identity"))].join("/");
        const bad = chunks.filter((c) => c.failed || c.status >= 400).length;
        console.log(`    ${span.padStart(11)} ms ${kb(bytes).padStart(8)} KB  ${chunks.length} x GET /pkg/chunk_*.wasm ` +
          `(${encodings}${bad ? `, ${bad} FAILED` : ""})`);
        continue;
      }
      const span = `${r.startMs ?? "?"}-${r.endMs ?? "?"}`;
      const flags = [r.encoding ?? "identity", r.cache ? `from ${r.cache} cache` : "", r.failed ? `FAILED: ${r.failed}` : "",
        r.status >= 400 ? `HTTP ${r.status}` : ""].filter(Boolean).join(", ");
      console.log(`    ${span.padStart(11)} ms ${kb(r.bytes).padStart(8)} KB  ${r.method} ${shortUrl(r.url)} (${flags})`);
    }
    if (v.probeRequests.length) console.log(`    not counted, made by the probe: ${[...new Set(v.probeRequests)].join(", ")}`);
  }
  console.log("Repeat visits, last run: the requests that went to the network (the rest came from the cache)");
  for (const spec of pages) {
    const v = results[spec.key].at(-1).repeat;
    const net = v.requests.filter((r) => r.cache === null);
    const cached = v.requests.length - net.length;
    const list = net.map((r) => `${r.method} ${shortUrl(r.url)} ${kb(r.bytes)} KB`).join(", ");
    console.log(`  ${spec.name}: ${list || "none"}; ${cached} from the cache`);
  }
}

/** Things worth a look: failed requests, HTTP errors, console errors, in any visit; stalls. */
function printNotes(results, pages) {
  const notes = new Set();
  for (const spec of pages) {
    for (const r of results[spec.key]) {
      for (const [which, v] of [["first", r.first], ["repeat", r.repeat]]) {
        for (const q of v.requests) {
          if (q.failed) notes.add(`${spec.name}, ${which} visit: ${q.method} ${shortUrl(q.url)} failed: ${q.failed}`);
          else if (q.status >= 400) notes.add(`${spec.name}, ${which} visit: ${q.method} ${shortUrl(q.url)}: HTTP ${q.status}`);
        }
        for (const m of v.console) notes.add(`${spec.name}, ${which} visit: console ${m}`);
      }
    }
  }
  if (notes.size) {
    console.log();
    console.log("Noticed during the visits:");
    for (const n of notes) console.log(`  ${n}`);
  }

  if (stalls.length) {
    console.log();
    console.log(`Measured again because Chromium's throttled network stalled (no data for ${STALL_MS / 1000} s; ` +
      "the throttling, not the server: its socket was full, the browser no longer read it):");
    for (const st of stalls) console.log(`  ${st}`);
  }
}

function printTargets(results, pages, runs, med) {
  console.log();
  console.log(`Targets (medians of ${runs} runs)`);
  const verdict = (ok) => (ok ? "PASS" : "FAIL  <<<");
  const line = (text, ok) => console.log(`  ${text.padEnd(64)} ${verdict(ok)}`);
  let failed = 0;
  for (const spec of pages.filter((p) => p.target)) {
    const bytes = med(spec.key, "first", "bytes");
    const t = med(spec.key, "first", "ms");
    const okKb = bytes <= spec.target.kb * KB;
    const okMs = t <= spec.target.ms;
    line(`${spec.name}, first visit: ${kb(bytes)} KB <= ${spec.target.kb} KB`, okKb);
    line(`${spec.name}, first visit: ${ms(t)} ms <= ${spec.target.ms} ms`, okMs);
    failed += !okKb + !okMs;
  }
  const refetched = [];
  for (const spec of pages) {
    results[spec.key].forEach((r, i) => {
      for (const q of assetsFromNetwork(r.repeat)) {
        refetched.push(`${spec.name}, run ${i + 1}: ${shortUrl(q.url)} ${kb(q.bytes)} KB, HTTP ${q.status} ` +
          `(cache-control: ${q.cacheControl ?? "none"})`);
      }
    });
  }
  line(`repeat visits: .wasm/.js/.css requests that went to the network: ${refetched.length}`, refetched.length === 0);
  for (const r of refetched) console.log(`    ${r}`);
  failed += refetched.length > 0;
  console.log(failed ? `${failed} target(s) missed: FAIL` : "all targets met: PASS");
}
