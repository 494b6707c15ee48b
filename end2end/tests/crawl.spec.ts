import { type Browser, type ConsoleMessage, expect, type Page, type Request, type Response, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_PASSWORD, DEMO_PASSWORD, gotoHydrated, signIn } from "./helpers";

// Loads every route of the app directly by URL (a bookmark, a reload, a shared link) as each kind
// of user, the way client-side navigation never does: the server renders the page and the
// browser must hydrate exactly that markup. A page fails on a page error, a console message about
// hydration or a panic, a failed request other than 401/403/404, the wrong HTTP status, or when a
// click on one of its controls does nothing (the WebAssembly app is dead).
//
// The routes come from ../routes.json, which app/tests/routes.rs keeps equal to the router's own
// list: a new route fails `cargo test` until it is listed, and is then crawled here. Path
// parameters are filled by name (PARAMS); a route that needs a query string gets one in QUERY.

const ROUTES: string[] = JSON.parse(readFileSync(join(__dirname, "..", "routes.json"), "utf8"));
const run = Date.now().toString(36);
const PASSWORD = "crawl-pass-1";
const CLIENT = `Crawl${run}`;
const HIDDEN_ORG = `Hidden${run}`;
const VIEWER = `viewer${run}`;
const PORTAL_USER = `portal${run}`;

/** Values for path parameters: the demo world plus what beforeAll creates. */
const PARAMS: Record<string, string> = {
  org: "STRINGER",
  api: "PrivateEchoAPI",
  plan: "Gold",
  client: CLIENT,
  version: "1.0",
};
/** Values that name nothing, for the 404 probes. */
const MISSING: Record<string, string> = { version: "9.9" };
const QUERY: Record<string, string> = {
  "/search": "?q=STRINGER",
  "/portal/signup": "?org=STRINGER&api=PrivateEchoAPI&version=1.0&plan=Gold&plan_version=1.0",
};

type Role = "admin" | "owner" | "viewer" | "portal-only" | "visitor";
interface Expected {
  status: number;
  /** Where a redirect lands (pathname). */
  landsOn?: string;
  /** The page shows a friendly error message (role="alert"). */
  alert?: boolean;
}

const paramNames = (pattern: string) => [...pattern.matchAll(/[:{]\*?(\w+)\}?/g)].map((m) => m[1]);

function fill(pattern: string, values: Record<string, string>): string {
  const path = pattern.replace(/[:{]\*?(\w+)\}?/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`crawl.spec.ts: no value for :${name} (route ${pattern}); add it to PARAMS`);
    return encodeURIComponent(value);
  });
  return (path || "/") + (QUERY[pattern] ?? "");
}

/** What each kind of user gets on an existing page. */
function expected(role: Role, pattern: string): Expected {
  if (pattern === "/login" || pattern === "/register") return { status: 200 };
  if (role === "visitor") return { status: 200, landsOn: "/login" };
  if (pattern.startsWith("/portal")) return { status: 200 };
  if (role === "portal-only") return { status: 200, landsOn: "/portal" };
  if (pattern === "/admin/users" && role !== "admin") return { status: 403, alert: true };
  return { status: 200 };
}

/** Routes that show one entity (their last segment is a parameter), probed with missing values. */
function notFoundProbes(role: Role): string[] {
  if (role === "visitor") return [];
  const entityRoutes = ROUTES.filter((r) => /[:{]\w+\}?$/.test(r));
  const probes = entityRoutes
    .filter((r) => role !== "portal-only" || r.startsWith("/portal"))
    .flatMap((r) => paramNames(r).map((name) => fill(r, { ...PARAMS, [name]: MISSING[name] ?? "Nope" })));
  // An organization that exists but that the user may not see answers like a missing one.
  if (role === "owner" || role === "viewer") probes.push(`/orgs/${HIDDEN_ORG}`, `/orgs/${HIDDEN_ORG}/members`);
  return probes;
}

const HYDRATION_OR_PANIC = /hydrat|panick|unreachable|RuntimeError/i;

/** Opens `path` directly and returns what went wrong (empty when the page is fine). */
async function visit(page: Page, path: string, want: Expected): Promise<string[]> {
  const problems: string[] = [];
  const onConsole = (m: ConsoleMessage) => {
    if (HYDRATION_OR_PANIC.test(m.text())) problems.push(`console: ${m.text().split("\n")[0]}`);
  };
  const onPageError = (e: Error) => problems.push(`page error: ${e.message.split("\n")[0]}`);
  const onResponse = (r: Response) => {
    if (r.status() >= 400 && ![401, 403, 404].includes(r.status())) problems.push(`${r.status()} from ${r.url()}`);
  };
  const onFailed = (r: Request) => {
    const why = r.failure()?.errorText ?? "";
    if (!why.includes("ERR_ABORTED")) problems.push(`request failed: ${r.url()} ${why}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("response", onResponse);
  page.on("requestfailed", onFailed);
  try {
    const response = await page.goto(path);
    if (response?.status() !== want.status) problems.push(`HTTP ${response?.status()}, expected ${want.status}`);
    if (want.landsOn && new URL(page.url()).pathname !== want.landsOn) {
      problems.push(`landed on ${page.url()}, expected ${want.landsOn}`);
    }
    if (want.alert && !(await page.getByRole("alert").first().isVisible())) problems.push("no error message shown");
    const hydrated = await page
      .locator('body[data-hydrated="true"]')
      .waitFor({ timeout: 15_000 })
      .then(() => true, () => false);
    if (!hydrated) problems.push("never hydrated");
    else problems.push(...(await proveInteractive(page)));
  } catch (error) {
    problems.push(String(error).split("\n")[0]);
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onPageError);
    page.off("response", onResponse);
    page.off("requestfailed", onFailed);
  }
  return problems;
}

/**
 * Clicks a control that only the running app can handle. Signed in: the user menu in the top bar
 * opens and closes. Otherwise the page's first link (sign-in to register, register to sign-in,
 * "Page not found" to the console) is followed by the router, without a page load: a marker set
 * on `window` survives.
 */
async function proveInteractive(page: Page): Promise<string[]> {
  const menuButton = page.locator('header button[aria-haspopup="menu"]');
  if ((await menuButton.count()) > 0) {
    await menuButton.click();
    const opened = await page.getByRole("menu").waitFor({ timeout: 5_000 }).then(() => true, () => false);
    if (!opened) return ["the user menu did not open on click"];
    await menuButton.click();
    return [];
  }
  const link = page.locator('main a[href^="/"]').first();
  if ((await link.count()) === 0) return ["no control found to click"];
  const from = new URL(page.url()).pathname;
  await page.evaluate(() => ((window as unknown as { crawlMarker: number }).crawlMarker = 1));
  await link.click();
  await page.waitForURL((url) => url.pathname !== from, { timeout: 5_000 }).catch(() => undefined);
  const kept = await page.evaluate(() => (window as unknown as { crawlMarker?: number }).crawlMarker === 1);
  return kept && new URL(page.url()).pathname !== from ? [] : ["a link click was not handled by the app"];
}

async function signedInPage(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, username, password);
  return page;
}

async function createUser(admin: Page, username: string, portalOnly: boolean) {
  await gotoHydrated(admin, "/admin/users");
  await admin.locator("#field-username").fill(username);
  await admin.locator("#field-display_name").fill(`Crawler ${username}`);
  await admin.locator("#field-password").fill(PASSWORD);
  if (portalOnly) await admin.getByLabel("Developer Portal only").check();
  await admin.getByRole("button", { name: "Create User" }).click();
  await expect(admin.getByTestId("user-row").filter({ hasText: username })).toBeVisible();
}

// Not serial: every role is crawled even when another one fails (Playwright then runs beforeAll
// again in a fresh worker, which creates fresh users; names carry the worker's own `run`).
test.describe("every route loaded directly", () => {
  const logins: Record<Exclude<Role, "visitor">, [string, string]> = {
    admin: ["admin", ADMIN_PASSWORD],
    owner: ["david", DEMO_PASSWORD],
    viewer: [VIEWER, PASSWORD],
    "portal-only": [PORTAL_USER, PASSWORD],
  };

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    const admin = await signedInPage(browser, "admin", ADMIN_PASSWORD);
    await createUser(admin, VIEWER, false);
    await createUser(admin, PORTAL_USER, true);
    // The viewer joins STRINGER; the Members tab is reached by clicking, the crawl loads it directly.
    await gotoHydrated(admin, "/orgs/STRINGER");
    await admin.getByRole("tab", { name: "Members" }).click();
    await admin.locator("#field-username").fill(VIEWER);
    await admin.getByRole("button", { name: "Add Member" }).click();
    await expect(admin.getByLabel(`Role of ${VIEWER}`)).toHaveValue("viewer");
    // A client version to crawl, and an organization that only the administrator belongs to.
    await gotoHydrated(admin, "/create/client?org=STRINGER");
    await admin.locator("#field-name").fill(CLIENT);
    await admin.getByRole("button", { name: "Next" }).click();
    await admin.getByRole("button", { name: "Create Client" }).click();
    await expect(admin).toHaveURL(new RegExp(`/orgs/STRINGER/clients/${CLIENT}/1.0$`));
    await gotoHydrated(admin, "/create/organization");
    await admin.locator("#field-name").fill(HIDDEN_ORG);
    await admin.getByRole("button", { name: "Next" }).click();
    await admin.getByRole("button", { name: "Create Organization" }).click();
    await expect(admin).toHaveURL(new RegExp(`/orgs/${HIDDEN_ORG}$`));
    await admin.context().close();
  });

  for (const role of ["admin", "owner", "viewer", "portal-only", "visitor"] as Role[]) {
    test(`as ${role}`, async ({ browser }) => {
      test.setTimeout(600_000);
      const page =
        role === "visitor"
          ? await (await browser.newContext()).newPage()
          : await signedInPage(browser, ...logins[role]);
      const problems: string[] = [];
      for (const pattern of ROUTES) {
        const path = fill(pattern, PARAMS);
        for (const p of await visit(page, path, expected(role, pattern))) problems.push(`${path}: ${p}`);
      }
      // An address that is no route at all.
      for (const p of await visit(page, "/no/such/page", { status: 404 })) problems.push(`/no/such/page: ${p}`);
      for (const path of notFoundProbes(role)) {
        for (const p of await visit(page, path, { status: 404, alert: true })) problems.push(`${path}: ${p}`);
      }
      expect(problems, `${role}: pages that failed`).toEqual([]);
    });
  }
});
