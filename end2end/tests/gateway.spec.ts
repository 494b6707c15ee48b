import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, GATEWAY_URL, gotoHydrated, signIn } from "./helpers";

const run = Date.now().toString(36);

test("seed 000's end: the key from the client page calls the API through the gateway, the 11th call on 10/minute gets 429", async ({ page }) => {
  const plan = `Trial${run}`;
  const api = `Limited${run}`;
  const client = `Tester${run}`;
  await signIn(page, "david", DEMO_PASSWORD);

  // A plan with 10 requests per minute, locked.
  await gotoHydrated(page, "/create/plan?org=STRINGER");
  await page.locator("#field-name").fill(plan);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Plan" }).click();
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.locator("#policy-type").selectOption({ label: "Rate Limiting" });
  await page.getByRole("button", { name: "Add Policy" }).click();
  await page.locator("#policy-limit").fill("10");
  await page.locator("#policy-period").selectOption("Minute");
  await page.getByRole("button", { name: "Save Policy" }).click();
  await expect(page.getByTestId("policy-summary")).toHaveText("10 requests per minute per client");
  await page.getByRole("button", { name: "Lock" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Lock" }).click();
  await expect(page.locator('h1 [data-badge="Locked"]')).toBeVisible();

  // An API on the built-in echo upstream offering it, published.
  await gotoHydrated(page, "/create/api?org=STRINGER");
  await page.locator("#field-name").fill(api);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create API" }).click();
  await page.getByRole("tab", { name: "Plans" }).click();
  await page.getByLabel(`Offer ${plan} 1.0`).check();
  await page.getByRole("button", { name: "Save Plans" }).click();
  await expect(page.getByText("Plans saved.")).toBeVisible();
  await page.getByRole("tab", { name: "Overview" }).click();
  await page.locator("#field-endpoint").fill(new URL("/echo", page.url()).toString());
  await page.getByRole("button", { name: "Save Implementation" }).click();
  await expect(page.locator('h1 [data-badge="Ready"]')).toBeVisible();
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.locator('h1 [data-badge="Published"]')).toBeVisible();

  // A client with a contract on that plan, registered.
  await gotoHydrated(page, "/create/client?org=STRINGER");
  await page.locator("#field-name").fill(client);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Client" }).click();
  await page.getByRole("tab", { name: "Contracts" }).click();
  await page.locator("#contract-api").selectOption({ label: `${api} 1.0 (STRINGER)` });
  await page.locator("#contract-plan").selectOption({ value: `${plan}/1.0` });
  await page.getByRole("button", { name: "Create Contract" }).click();
  await expect(page.getByTestId("contract-row")).toContainText(plan);
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.locator('h1 [data-badge="Registered"]')).toBeVisible();

  // What the client page shows is what works.
  await page.getByRole("tab", { name: "Overview" }).click();
  await page.getByRole("region", { name: "API Key", exact: true }).getByRole("button", { name: "Reveal" }).click();
  const key = (await page.getByTestId("api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await page.getByRole("tab", { name: "APIs" }).click();
  const endpoint = (await page.getByTestId("client-api-endpoint").textContent())?.trim() ?? "";
  // Served on the gateway's own origin, never the console's.
  expect(endpoint).toBe(`${GATEWAY_URL}/gateway/STRINGER/${api}/1.0`);
  const onConsole = await page.request.get(`/gateway/STRINGER/${api}/1.0/hello`, { headers: { "X-API-Key": key } });
  expect(onConsole.status()).toBe(404);
  expect(onConsole.headers()["x-gateway-error"]).toBeUndefined();

  // The limit counts per calendar minute: start well inside one, so all 11 calls share it.
  const second = new Date().getUTCSeconds();
  if (second > 45) await page.waitForTimeout((61 - second) * 1000);
  const call = () => page.request.get(`${endpoint}/hello?from=playwright`, { headers: { "X-API-Key": key } });
  // Registration reaches the gateway through Postgres NOTIFY: give it a moment.
  await expect.poll(async () => (await call()).status(), { timeout: 5000 }).toBe(200);
  for (let i = 2; i <= 10; i++) {
    const response = await call();
    expect(response.status(), `request ${i}`).toBe(200);
    const echoed = await response.json();
    expect(echoed.path).toBe("/hello");
    expect(echoed.query).toBe("from=playwright");
    expect(echoed.headers["x-api-key"]).toBeUndefined();
  }
  const refused = await call();
  expect(refused.status()).toBe(429);
  expect(refused.headers()["x-policy-failure-code"]).toBe("10005");
  expect((await refused.json()).failureCode).toBe(10005);
});
