import { expect, type Page, test } from "@playwright/test";
import { createClient, DEMO_PASSWORD, gotoHydrated, signIn } from "./helpers";

const run = Date.now().toString(36);

/** The gateway's answer to a call with `key`: status and engine error name, if any. */
async function call(page: Page, endpoint: string, key: string): Promise<string> {
  const response = await page.request.get(`${endpoint}/keys`, { headers: { "X-API-Key": key } });
  const body = response.status() === 200 ? {} : await response.json();
  return `${response.status()} ${body.error ?? ""}`.trim();
}

test("a consumer rotates their key with a 1-hour grace, both keys answer, then revokes the old one", async ({ page }) => {
  const client = `Rotator${run}`;
  await signIn(page, "david", DEMO_PASSWORD);

  // A client signed up to PrivateEchoAPI through the portal: registered at once for david.
  await createClient(page, client);
  await page.getByRole("link", { name: "Click here to create a new contract" }).click();
  await page.getByTestId("api-card").filter({ hasText: "PrivateEchoAPI" }).getByRole("link", { name: "Learn more" }).click();
  await page.locator('[data-testid="portal-plan"][data-plan="Gold"]').getByRole("link", { name: "Sign Up" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Confirm" }).click();
  const oldKey = (await page.getByTestId("signup-api-key").textContent())?.trim() ?? "";
  // The gateway's address comes after hydration: until then the endpoint reads as a bare path.
  await expect(page.getByTestId("signup-endpoint")).toHaveText(/^https?:\/\//);
  const endpoint = (await page.getByTestId("signup-endpoint").textContent())?.trim() ?? "";
  expect(oldKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await page.getByRole("button", { name: "Finish" }).click();
  await expect.poll(() => call(page, endpoint, oldKey), { timeout: 5000 }).toBe("200");

  // My Clients: the keys behind their disclosure, one Active key.
  const mine = page.locator(`[data-testid="my-client"][data-client="${client}"]`);
  await mine.getByTestId("keys-disclosure").locator("summary").click();
  const rows = mine.getByTestId("key-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-state", "Active");

  // Rotate: a bad grace period is refused at its field, then 1 hour.
  await mine.getByRole("button", { name: "Rotate Key" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate API key" });
  await expect(dialog.locator("#field-grace_hours")).toHaveValue("24");
  await dialog.locator("#field-grace_hours").fill("721");
  await dialog.getByRole("button", { name: "Rotate" }).click();
  await expect(dialog.locator('[data-field-error="grace_hours"]')).toContainText("1 to 720 hours");
  await dialog.locator("#field-grace_hours").fill("1");
  await dialog.getByRole("button", { name: "Rotate" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute("data-state", "Active");
  await expect(rows.nth(1)).toHaveAttribute("data-state", "Expiring");
  // The old key's end: an hour from now (give or take the test's own minutes).
  const ends = Date.parse(((await rows.nth(1).getByTestId("key-ends").textContent()) ?? "").replace(" UTC", "Z").replace(" ", "T"));
  expect(Math.abs(ends - (Date.now() + 3_600_000))).toBeLessThan(5 * 60_000);

  await rows.nth(0).getByRole("button", { name: "Reveal" }).click();
  const newKey = (await rows.nth(0).getByTestId("key-value").textContent())?.trim() ?? "";
  expect(newKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(newKey).not.toBe(oldKey);
  await expect.poll(() => call(page, endpoint, newKey), { timeout: 5000 }).toBe("200");
  expect(await call(page, endpoint, oldKey)).toBe("200");

  // Revoke the old key: refused with its own answer within a second or so.
  await rows.nth(1).getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog", { name: "Revoke API key" }).getByRole("button", { name: "Revoke" }).click();
  await expect(rows.nth(1)).toHaveAttribute("data-state", "Revoked");
  await expect(rows.nth(1).getByTestId("key-hint")).toHaveText(`${oldKey.slice(0, 4)}…`);
  await expect.poll(() => call(page, endpoint, oldKey), { timeout: 5000 }).toBe("403 KeyRevoked");
  expect(await call(page, endpoint, newKey)).toBe("200");

  // The console's client page lists the same keys.
  await gotoHydrated(page, `/orgs/STRINGER/clients/${client}/1.0`);
  const listed = page.getByRole("region", { name: "API keys" }).getByTestId("key-row");
  await expect(listed).toHaveCount(2);
  await expect(listed.nth(0)).toHaveAttribute("data-state", "Active");
  await expect(listed.nth(1)).toHaveAttribute("data-state", "Revoked");
  await expect(listed.nth(1).getByTestId("key-ends")).toContainText("by david");
});
