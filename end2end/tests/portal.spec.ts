import { expect, type Browser, type Page, test } from "@playwright/test";
import { DEMO_PASSWORD, GATEWAY_URL, gotoHydrated, signIn } from "./helpers";

const run = Date.now().toString(36);

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("seed 000 from start to end: client, portal sign-up, key and endpoint, console tabs, a working call", async ({ browser }) => {
  const david = await newPage(browser);
  await signIn(david, "david", DEMO_PASSWORD);
  const name = `Spring Corp. ${run}`;
  const id = `SpringCorp${run}`;

  await david.getByRole("button", { name: "Create", exact: true }).click();
  await david.getByRole("menuitem", { name: "Create Client" }).click();
  await david.getByRole("button", { name: "Next" }).click();
  await david.locator("#field-name").fill(name);
  await david.locator("#field-description").fill("Spring Corp., contact person: Rose Bloom");
  await david.getByRole("button", { name: "Next" }).click();
  await david.getByRole("button", { name: "Create Client" }).click();
  await expect(david).toHaveURL(new RegExp(`/orgs/STRINGER/clients/${id}/1.0$`));

  // "Click here to create a new contract" leads into the Developer Portal.
  await david.getByRole("link", { name: "Click here to create a new contract" }).click();
  await expect(david).toHaveURL(/\/portal\?for=/);
  await expect(david.getByTestId("signing-up-for")).toContainText(id);
  const card = david.getByTestId("api-card").filter({ hasText: "PrivateEchoAPI" });
  await card.getByRole("link", { name: "Learn more" }).click();
  await expect(david.getByRole("heading", { name: "PrivateEchoAPI" }).first()).toBeVisible();
  const gold = david.locator('[data-testid="portal-plan"][data-plan="Gold"]');
  await expect(gold).toContainText("Approval required");
  await expect(gold).toContainText("10,000 requests per day per client");
  await gold.getByRole("link", { name: "Sign Up" }).click();

  await expect(david.getByRole("heading", { name: "Sign Up" })).toBeVisible();
  await expect(david.locator("#field-org")).toHaveValue("STRINGER");
  await expect(david.locator("#field-client")).toHaveValue(`${id}/1.0`);
  await david.getByRole("button", { name: "Next" }).click();
  await expect(david.locator('[data-summary="API"]')).toHaveText("PrivateEchoAPI 1.0 (STRINGER)");
  await expect(david.locator('[data-summary="Plan"]')).toHaveText("Gold 1.0 (approval required)");
  await expect(david.locator('[data-summary="Policies"]')).toHaveText("10,000 requests per day per client");
  await david.getByRole("button", { name: "Confirm" }).click();

  // david edits STRINGER's plans: no approval, the client is registered at once.
  const key = (await david.getByTestId("signup-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // The gateway's address comes after hydration: until then the endpoint reads as a bare path.
  await expect(david.getByTestId("signup-endpoint")).toHaveText(/^https?:\/\//);
  const endpoint = (await david.getByTestId("signup-endpoint").textContent())?.trim() ?? "";
  expect(endpoint).toBe(`${GATEWAY_URL}/gateway/STRINGER/PrivateEchoAPI/1.0`);
  await david.getByRole("button", { name: "Finish" }).click();
  await expect(david).toHaveURL(/\/portal\/clients$/);
  const mine = david.locator(`[data-testid="my-client"][data-client="${name}"]`);
  await expect(mine.getByTestId("my-contract")).toContainText("PrivateEchoAPI 1.0");
  await expect(mine.getByTestId("my-contract").locator('[data-badge="Active"]')).toBeVisible();
  await expect(david.getByRole("navigation", { name: "Contents" }).getByRole("link", { name })).toHaveCount(1);

  // Back in the console.
  await gotoHydrated(david, "/orgs/STRINGER/clients");
  await expect(david.getByTestId("client-row").filter({ hasText: name })).toBeVisible();
  await gotoHydrated(david, "/orgs/STRINGER/apis/PrivateEchoAPI/1.0/contracts");
  await expect(david.getByTestId("contract-row").filter({ hasText: name })).toBeVisible();
  await gotoHydrated(david, `/orgs/STRINGER/clients/${id}/1.0/contracts`);
  await expect(david.getByTestId("contract-row").filter({ hasText: "PrivateEchoAPI" })).toBeVisible();
  await expect(david.locator('h1 [data-badge="Registered"]')).toBeVisible();

  // "Your API is ready for testing."
  await expect.poll(async () => (await david.request.get(`${endpoint}/ready`, { headers: { "X-API-Key": key } })).status(), { timeout: 5000 }).toBe(200);
  const echoed = await (await david.request.get(`${endpoint}/ready`, { headers: { "X-API-Key": key } })).json();
  expect(echoed.path).toBe("/ready");
});

test("a self-signed-up portal user waits for approval, then the key works", async ({ browser }) => {
  const rose = await newPage(browser);
  const username = `rose${run}`;
  await gotoHydrated(rose, "/register");
  await rose.locator("#field-username").fill(username);
  await rose.locator("#field-display_name").fill("Rose Bloom");
  await rose.locator("#field-email").fill("rose@spring.example");
  await rose.locator("#field-password").fill("short");
  await rose.getByRole("button", { name: "Create Account" }).click();
  await expect(rose.locator('[data-field-error="password"]')).toBeVisible();
  await rose.locator("#field-password").fill("spring-corp-1");
  await rose.getByRole("button", { name: "Create Account" }).click();
  await expect(rose).toHaveURL(/\/portal$/);

  // The console is not for portal-only users.
  await gotoHydrated(rose, "/search");
  await expect(rose).toHaveURL(/\/portal$/);

  await rose.getByRole("searchbox", { name: "Search APIs" }).fill("PrivateEcho");
  await rose.getByTestId("api-card").filter({ hasText: "PrivateEchoAPI" }).getByRole("link", { name: "Learn more" }).click();
  await rose.locator('[data-testid="portal-plan"][data-plan="Gold"]').getByRole("link", { name: "Sign Up" }).click();
  await expect(rose.getByText("a personal organization will be created")).toBeVisible();
  await rose.locator("#field-name").fill("Rose App");
  await rose.getByRole("button", { name: "Next" }).click();
  await expect(rose.locator('[data-summary="Client"]')).toHaveText("Rose App 1.0 (new)");
  await rose.getByRole("button", { name: "Confirm" }).click();
  await expect(rose.getByTestId("awaiting-approval")).toBeVisible();
  await rose.getByRole("button", { name: "Finish" }).click();
  const app = rose.locator('[data-testid="my-client"][data-client="Rose App"]');
  await expect(app.locator('[data-badge="Awaiting Approval"]').first()).toBeVisible();
  await expect(app.getByTestId("no-key-yet")).toBeVisible();

  const david = await newPage(browser);
  await signIn(david, "david", DEMO_PASSWORD);
  await gotoHydrated(david, "/approvals");
  const request = david.getByTestId("approval-request").filter({ hasText: "Rose App" });
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(david.getByTestId("approval-request").filter({ hasText: "Rose App" })).toHaveCount(0);

  await gotoHydrated(rose, "/portal/clients");
  await expect(app.locator('[data-badge="Registered"]')).toBeVisible();
  await app.getByRole("button", { name: "Reveal" }).click();
  const key = (await app.getByTestId("my-api-key").textContent())?.trim() ?? "";
  const endpoint = (await app.getByTestId("my-endpoint").textContent())?.trim() ?? "";
  expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await expect.poll(async () => (await rose.request.get(`${endpoint}/hi`, { headers: { "X-API-Key": key } })).status(), { timeout: 5000 }).toBe(200);
});
