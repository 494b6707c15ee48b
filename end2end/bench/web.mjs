// `make bench-web`, the browser half (scripts/bench-web.sh starts the server and calls this).
// Chromium (Debian's /usr/bin/chromium, never a downloaded one), headless, on a throttled link:
// for each page in PAGES, in a fresh browser context,
//   first visit   empty cache (for pages behind sign-in: sign in on another tab first, not
//                 counted, then Network.clearBrowserCache), in a new tab;
//   repeat visit  the same URL again in a new tab of the same context (cache warm).
// Each visit reports bytes (transferred for the page load) and ms (navigation start to
// interactive); measure.mjs says exactly how, report.mjs prints the tables and the targets.
// Every page is measured RUNS times, the pages taking turns, after one warm-up round that is not
// counted; the table shows medians. KB = 1000 bytes.
// Environment: BASE_URL (http://127.0.0.1:3500), DEMO_PASSWORD (david's), BENCH_WEB_RUNS (3),
// BENCH_WEB_PAGES (all; e.g. "portal,org": keys in PAGES), BENCH_WEB_OUT (a directory for
// results.json: every request of every visit), CHROMIUM_PATH (/usr/bin/chromium).
// Exit status: 0 also when a target is missed (this is a benchmark); 1 when a page could not be
// measured (it did not hydrate, the probe never reacted, …), after printing what was seen.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import { BASE, DEMO_PASSWORD, LINK, measure } from "./measure.mjs";
import { kb, report } from "./report.mjs";

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 3);
const OUT = process.env.BENCH_WEB_OUT ?? "";
/** BENCH_WEB_PAGES=portal,org: only these pages (keys in PAGES), e.g. while adjusting a probe. */
const ONLY = process.env.BENCH_WEB_PAGES ? process.env.BENCH_WEB_PAGES.split(",") : null;

/**
 * The pages. `probe.act(page)` does something that only has an effect once the page's event
 * handlers are attached; `probe.reacted` runs in the page (an arrow function: its source text is
 * sent over) and says whether the effect is visible in the DOM. Acting must be harmless to repeat
 * and must not navigate.
 */
const ALL_PAGES = [
  {
    key: "portal",
    name: "portal home",
    path: "/portal",
    signIn: true, // the portal is for signed-in users: signed out, /portal redirects to /login
    probe: {
      // Typing in the search box swaps "Featured APIs" for "Search results" at once (the
      // results themselves then come from the server).
      act: (page) => page.getByRole("searchbox", { name: "Search APIs" }).fill("Echo"),
      reacted: () => [...document.querySelectorAll("h2")].some((h) => h.textContent.trim() === "Search results"),
    },
    target: { kb: 450, ms: 2000 },
  },
  {
    key: "api",
    name: "portal API page",
    path: "/portal/apis/STRINGER/PrivateEchoAPI",
    signIn: true,
    probe: {
      // The endpoint's Copy button says "Copied" for 2 s (no server round trip).
      act: (page) => page.locator('[data-testid="portal-endpoint"] + button').click(),
      reacted: () => document.querySelector('[data-testid="portal-endpoint"] + button')?.textContent.trim() === "Copied",
    },
  },
  {
    key: "login",
    name: "sign-in page",
    path: "/login",
    signIn: false,
    probe: {
      // Submitting the (empty) form turns the button into "Signing in…" while the server answers
      // (it refuses the empty name). A submit event is dispatched rather than the button clicked:
      // before hydration a click would submit the form natively, a navigation (GET
      // /login?username=&password=) that would end the measurement; a dispatched event never
      // submits natively, so it does nothing until the app's handler is attached.
      act: (page) =>
        page.locator("form").first().evaluate((form) => {
          form.dispatchEvent(new SubmitEvent("submit", { bubbles: true, cancelable: true }));
        }),
      reacted: () => [...document.querySelectorAll("button")].some((b) => b.textContent.includes("Signing in")),
    },
  },
  {
    key: "org",
    name: "console org page",
    path: "/orgs/STRINGER",
    signIn: true, // "first visit after sign-in"
    probe: {
      // The organization's Edit button opens the edit form (david owns STRINGER).
      act: (page) => page.getByRole("button", { name: "Edit", exact: true }).click(),
      reacted: () => document.querySelector("#field-name") !== null,
    },
    target: { kb: 700, ms: 2500 },
  },
];
const PAGES = ALL_PAGES.filter((p) => !ONLY || ONLY.includes(p.key));

async function main() {
  if (!DEMO_PASSWORD) throw new Error("DEMO_PASSWORD is not set");
  if (!(RUNS >= 1 && RUNS <= 9)) throw new Error("BENCH_WEB_RUNS must be 1 to 9");
  if (!PAGES.length) throw new Error(`BENCH_WEB_PAGES matches none of ${ALL_PAGES.map((p) => p.key).join(",")}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const results = Object.fromEntries(PAGES.map((p) => [p.key, []]));
  try {
    console.error("==> warm-up round (not counted)");
    for (const spec of PAGES) await measure(browser, spec);
    for (let run = 1; run <= RUNS; run++) {
      for (const spec of PAGES) {
        const r = await measure(browser, spec);
        results[spec.key].push(r);
        console.error(`==> run ${run}/${RUNS}, ${spec.name}: first ${kb(r.first.bytes)} KB ${r.first.ms.toFixed(0)} ms, ` +
          `repeat ${kb(r.repeat.bytes)} KB ${r.repeat.ms.toFixed(0)} ms`);
      }
    }
  } finally {
    await browser.close();
  }
  if (OUT) {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "results.json"), JSON.stringify({ base: BASE, link: LINK, runs: RUNS, results }, null, 1));
  }
  report(results, PAGES, RUNS);
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
