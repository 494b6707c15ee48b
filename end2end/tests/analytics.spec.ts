import { expect, type Browser, type Page, test } from "@playwright/test";
import { ADMIN_PASSWORD, ADMIN_USER, gotoHydrated, signIn } from "./helpers";

// Analytics end to end: real calls through the gateway with mixed outcomes, then every page that
// shows them. The gateway flushes its analytics every ~2 s, so each page is reloaded until the
// numbers are there. An organization of its own keeps other tests' traffic out of the totals; the
// administrator makes it, so that david keeps STRINGER as his only organization (other tests rely
// on the wizards preselecting it).

const run = Date.now().toString(36);
const ORG = `Metrics${run}`;
const PLAN = `Daily${run}`;
const API = `Counted${run}`;
const CLIENT = `Caller${run}`;
const LIMIT = 5;

const API_PAGE = `/orgs/${ORG}/apis/${API}/1.0`;
const CLIENT_PAGE = `/orgs/${ORG}/clients/${CLIENT}/1.0`;

/**
 * What the calls were: 5 × 200, then 429 (over the limit), 401 (no key), 403 (unknown key), and
 * before them any 403 the gateway gave while the registration was on its way to it.
 */
const OK = LIMIT;
let TOTAL = LIMIT + 3;
let ERRORS = 3;
/** The calls made with the client's key and counted for the client (the 200s and the 429). */
const KEYED = LIMIT + 1;

let key = "";

async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await signIn(page, ADMIN_USER, ADMIN_PASSWORD);
  return page;
}

/** Loads `path` until `check` passes: analytics reach the database a few seconds after a call. */
async function untilShown(page: Page, path: string, check: () => Promise<void>): Promise<void> {
  await expect(async () => {
    await gotoHydrated(page, path);
    await check();
  }).toPass({ timeout: 45_000, intervals: [1_000, 2_000] });
}

/** The sum of every dataset of the chart drawn on `canvas` (Chart.js' own registry). */
async function chartSum(page: Page, title: string): Promise<number> {
  const canvas = page.locator(`figure[data-chart="${title}"] canvas`).first();
  await expect
    .poll(() => canvas.evaluate((c) => !!(window as unknown as { Chart?: { getChart(c: unknown): unknown } }).Chart?.getChart(c)))
    .toBe(true);
  return canvas.evaluate((c) => {
    type Drawn = { data: { datasets: { data: (number | null)[] }[] } };
    const chart = (window as unknown as { Chart: { getChart(c: unknown): Drawn } }).Chart.getChart(c);
    return chart.data.datasets.flatMap((d) => d.data).reduce<number>((a, v) => a + (v ?? 0), 0);
  });
}

test.describe.serial("analytics", () => {
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(240_000);
    const page = await newPage(browser);

    await gotoHydrated(page, "/create/organization");
    await page.locator("#field-name").fill(ORG);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create Organization" }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${ORG}$`));

    // A plan allowing 5 requests a day, locked.
    await gotoHydrated(page, `/create/plan?org=${ORG}`);
    await page.locator("#field-name").fill(PLAN);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create Plan" }).click();
    await page.getByRole("tab", { name: "Policies" }).click();
    await page.locator("#policy-type").selectOption({ label: "Rate Limiting" });
    await page.getByRole("button", { name: "Add Policy" }).click();
    await page.locator("#policy-limit").fill(String(LIMIT));
    await page.locator("#policy-period").selectOption("Day");
    await page.getByRole("button", { name: "Save Policy" }).click();
    await expect(page.getByTestId("policy-summary")).toHaveText(`${LIMIT} requests per day per client`);
    await page.getByRole("button", { name: "Lock" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Lock" }).click();
    await expect(page.locator('h1 [data-badge="Locked"]')).toBeVisible();

    // An API on the built-in echo upstream offering it, published.
    await gotoHydrated(page, `/create/api?org=${ORG}`);
    await page.locator("#field-name").fill(API);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create API" }).click();
    await page.getByRole("tab", { name: "Plans" }).click();
    await page.getByLabel(`Offer ${PLAN} 1.0`).check();
    await page.getByRole("button", { name: "Save Plans" }).click();
    await expect(page.getByText("Plans saved.")).toBeVisible();
    await page.getByRole("tab", { name: "Overview" }).click();
    await page.locator("#field-endpoint").fill(new URL("/echo", page.url()).toString());
    await page.getByRole("button", { name: "Save Implementation" }).click();
    await expect(page.locator('h1 [data-badge="Ready"]')).toBeVisible();
    await page.getByRole("button", { name: "Publish" }).click();
    await expect(page.locator('h1 [data-badge="Published"]')).toBeVisible();

    // A client with a contract on that plan, registered.
    await gotoHydrated(page, `/create/client?org=${ORG}`);
    await page.locator("#field-name").fill(CLIENT);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Create Client" }).click();
    await page.getByRole("tab", { name: "Contracts" }).click();
    await page.locator("#contract-api").selectOption({ label: `${API} 1.0 (${ORG})` });
    await page.locator("#contract-plan").selectOption({ value: `${PLAN}/1.0` });
    await page.getByRole("button", { name: "Create Contract" }).click();
    await expect(page.getByTestId("contract-row")).toContainText(PLAN);
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await expect(page.locator('h1 [data-badge="Registered"]')).toBeVisible();
    await page.getByRole("tab", { name: "Overview" }).click();
    await page.getByRole("region", { name: "API Key", exact: true }).getByRole("button", { name: "Reveal" }).click();
    key = (await page.getByTestId("api-key").textContent())?.trim() ?? "";
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.getByRole("tab", { name: "APIs" }).click();
    const endpoint = (await page.getByTestId("client-api-endpoint").textContent())?.trim() ?? "";

    // The limit counts per UTC day: keep all calls inside one.
    const now = new Date();
    if (now.getUTCHours() === 23 && now.getUTCMinutes() >= 58) {
      await page.waitForTimeout((60 - now.getUTCSeconds() + (59 - now.getUTCMinutes()) * 60 + 5) * 1000);
    }
    const call = (path: string, headers: Record<string, string> = { "X-API-Key": key }) =>
      page.request.get(`${endpoint}${path}`, { headers });
    // Registration reaches the gateway through Postgres NOTIFY: until then the key is unknown
    // (403), and those calls count too.
    for (let early = 0; ; early++) {
      const status = (await call("/ready")).status();
      if (status === 200) break;
      expect(status, "before the registration arrives").toBe(403);
      expect(early, "the registration reaches the gateway").toBeLessThan(50);
      TOTAL++;
      ERRORS++;
      await page.waitForTimeout(200);
    }
    for (let i = 2; i <= OK; i++) expect((await call(`/items/${i}`)).status(), `call ${i}`).toBe(200);
    expect((await call("/items/over")).status()).toBe(429);
    expect((await call("/nokey", {})).status()).toBe(401);
    expect((await call("/badkey", { "X-API-Key": "x".repeat(43) })).status()).toBe(403);
    await page.context().close();
  });

  test("API Metrics: totals, a drawn chart with every call, top clients, plans; the range picker", async ({ browser }) => {
    const page = await newPage(browser);
    await untilShown(page, `${API_PAGE}/metrics`, async () => {
      await expect(page.getByTestId("total-requests")).toHaveText(String(TOTAL), { timeout: 1_000 });
    });
    await expect(page.getByRole("tab", { name: "Metrics" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("total-errors")).toHaveText(String(ERRORS));
    expect(await chartSum(page, "Requests")).toBe(TOTAL);
    await expect(page.locator('figure[data-chart="Requests"] figcaption')).toContainText(`${TOTAL} requests, ${ERRORS} errors`);
    await expect(page.locator('figure[data-chart="Latency"] canvas')).toBeVisible();
    await expect(page.getByTestId("top-client").filter({ hasText: CLIENT })).toContainText(String(KEYED));
    await expect(page.getByTestId("plan-share").filter({ hasText: PLAN })).toBeVisible();
    // Chart.js came from the site itself, loaded by this page (the CSP allows nothing else).
    expect(await page.evaluate(() => [...document.scripts].some((s) => s.src.endsWith("/vendor/chart.umd.js")))).toBe(true);

    // 1 h: in the URL, same numbers; a reload keeps it.
    await page.getByRole("group", { name: "Time range" }).getByRole("button", { name: "1 h" }).click();
    await expect(page).toHaveURL(/\?range=1h$/);
    await expect(page.getByRole("button", { name: "1 h" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("total-requests")).toHaveText(String(TOTAL));
    await page.reload();
    await expect(page.getByRole("button", { name: "1 h" })).toHaveAttribute("aria-pressed", "true");

    // A custom window of yesterday has no calls; one that ends before it starts is refused at its field.
    await page.getByRole("button", { name: "Custom" }).click();
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await page.locator("#range-from").fill(`${day}T00:00`);
    await page.locator("#range-to").fill(`${day}T01:00`);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`range=custom&from=${day}T00%3A00%3A00Z&to=${day}T01%3A00%3A00Z`));
    await expect(page.getByText("No calls in this range yet.")).toBeVisible();
    await expect(page.getByTestId("total-requests")).toHaveCount(0);
    await page.locator("#range-to").fill(`${day}T00:00`);
    await page.locator("#range-from").fill(`${day}T02:00`);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.locator('[data-field-error="to"]')).toHaveText("The end must be after the start.");

    // Back: the previous range again.
    await page.goBack();
    await expect(page).toHaveURL(/\?range=1h$/);
    await expect(page.getByTestId("total-requests")).toHaveText(String(TOTAL));
  });

  test("API Logs: newest first, keys masked, filters, details, CSV export", async ({ browser }) => {
    const page = await newPage(browser);
    const rows = page.getByTestId("log-row");
    await untilShown(page, `${API_PAGE}/logs`, async () => {
      await expect(rows).toHaveCount(TOTAL, { timeout: 1_000 });
    });
    await expect(page.getByRole("heading", { name: "Log Analyzer", exact: true })).toBeVisible();
    // Newest first: the last three calls were 403, 401, 429.
    const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-status")));
    expect(statuses.slice(0, 3)).toEqual(["403", "401", "429"]);
    expect(statuses.filter((s) => s === "200")).toHaveLength(OK);
    // The key shows as the log shortens it, never whole.
    await expect(rows.nth(2).getByTestId("key-hint")).toContainText(key.slice(0, 4));
    expect(await page.content()).not.toContain(key);

    // Status filters: a class, then one code; a bad one is refused at its field.
    await page.getByLabel("Status").fill("4xx");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(ERRORS);
    await page.getByLabel("Status").fill("429");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-status", "429");
    await page.getByLabel("Status").fill("4x");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.locator('[data-field-error="status"]')).toBeVisible();
    await page.getByLabel("Status").fill("4xx");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(ERRORS);

    // A row's details: the third, the 429.
    await rows.nth(2).click();
    const detail = page.getByRole("dialog", { name: "Request details" });
    await expect(detail.locator('[data-field="Status"]')).toHaveText("429");
    await expect(detail.locator('[data-field="Path"]')).toContainText("/items/over");
    await expect(detail.locator('[data-field="API"]')).toContainText(API);
    await expect(detail.locator('[data-field="Client"]')).toContainText(CLIENT);
    await expect(detail.locator('[data-field="API key"]')).toContainText(key.slice(0, 4));
    await detail.getByRole("button", { name: "Close" }).click();
    await expect(detail).toHaveCount(0);

    // Export CSV: what the filters select, with a header line.
    const link = page.getByTestId("export-csv");
    await expect(link).toHaveAttribute("href", /status=4xx/);
    // Fetched with the page's session, so a refusal shows its status and message here.
    const response = await page.request.get((await link.getAttribute("href")) ?? "");
    expect(response.status(), await response.text()).toBe(200);
    expect(response.headers()["content-disposition"]).toMatch(/^attachment/);
    const csv = (await response.text()).trim().split(/\r?\n/);
    expect(csv[0]).toMatch(/^time,.*status/);
    const data = csv.slice(1).filter((line) => !line.startsWith("#"));
    expect(data).toHaveLength(ERRORS);
    expect(data.join("\n")).toContain("/items/over");
    expect(csv.join("\n")).not.toContain(key);
  });

  test("client Metrics: the API's calls and what is left of the limit", async ({ browser }) => {
    const page = await newPage(browser);
    const card = page.getByTestId("api-usage").filter({ hasText: API });
    await untilShown(page, `${CLIENT_PAGE}/metrics`, async () => {
      await expect(card.getByTestId("usage-calls")).toHaveText(String(KEYED), { timeout: 1_000 });
    });
    await expect(card.getByTestId("usage-errors")).toHaveText("1");
    await expect(card).toContainText(`Plan ${PLAN} 1.0`);
    expect(await chartSum(page, "Requests")).toBe(KEYED);
    const limit = card.getByTestId("limit-row").first();
    await expect(limit).toContainText("Rate Limiting");
    await expect(limit.getByTestId("limit-remaining")).toHaveText("0");
  });

  test("organization Metrics and Logs", async ({ browser }) => {
    const page = await newPage(browser);
    await untilShown(page, `/orgs/${ORG}/metrics`, async () => {
      await expect(page.getByTestId("total-requests")).toHaveText(String(TOTAL), { timeout: 1_000 });
    });
    expect(await chartSum(page, "Requests")).toBe(TOTAL);
    await expect(page.getByTestId("top-api").filter({ hasText: API })).toContainText(String(TOTAL));
    await expect(page.getByTestId("top-client").filter({ hasText: CLIENT })).toContainText(String(KEYED));

    await page.getByRole("tab", { name: "Logs" }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${ORG}/logs`));
    await expect(page.getByRole("heading", { name: /^Log Analyzer/ })).toBeVisible();
    const rows = page.getByTestId("log-row");
    await expect(rows).toHaveCount(TOTAL);
    await expect(rows.first()).toContainText(API);
    // The client list holds the clients seen in the organization's traffic.
    const option = page.locator("#log-client option").filter({ hasText: CLIENT });
    await page.locator("#log-client").selectOption((await option.getAttribute("value")) ?? "");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(rows).toHaveCount(KEYED);
    expect(await page.content()).not.toContain(key);
  });

  test("portal Usage: calls per API and the quota left", async ({ browser }) => {
    const page = await newPage(browser);
    await gotoHydrated(page, "/portal");
    await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Usage" }).click();
    await expect(page).toHaveURL(/\/portal\/usage$/);
    const mine = page.locator(`[data-testid="usage-client"][data-client="${ORG}/${CLIENT}/1.0"]`);
    await untilShown(page, "/portal/usage", async () => {
      await expect(mine.getByTestId("usage-calls")).toHaveText(String(KEYED), { timeout: 1_000 });
    });
    await expect(mine.getByTestId("limit-remaining").first()).toHaveText("0");
    await expect(mine.locator('figure[data-chart="Requests"] canvas')).toBeVisible();
    expect(await page.content()).not.toContain(key);
  });
});
