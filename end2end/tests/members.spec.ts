import { type Browser, expect, type Page, test } from "@playwright/test";
import { ADMIN_PASSWORD, DEMO_PASSWORD, gotoHydrated, signIn } from "./helpers";

// What a member may learn: an Owner invites without learning whether an account exists, the
// invited user accepts from the console home, a Viewer never receives an API key, and names with
// invisible direction characters are refused at the field.

const run = Date.now().toString(36);
const PASSWORD = "member-pass-1";
const JOINER = `joiner${run}`;
const CLIENT = `Keyed${run}`;

async function signedInPage(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, username, password);
  return page;
}

test("an Owner invites, the user accepts, and as a Viewer sees no API key", async ({ browser }) => {
  const admin = await signedInPage(browser, "admin", ADMIN_PASSWORD);
  await gotoHydrated(admin, "/admin/users");
  await admin.locator("#field-username").fill(JOINER);
  await admin.locator("#field-display_name").fill("Joiner");
  await admin.locator("#field-password").fill(PASSWORD);
  await admin.getByRole("button", { name: "Create User" }).click();
  await admin.getByLabel("Filter users").fill(JOINER);
  await expect(admin.getByTestId("user-row")).toHaveCount(1);
  await admin.context().close();

  const david = await signedInPage(browser, "david", DEMO_PASSWORD);
  await gotoHydrated(david, `/create/client?org=STRINGER`);
  await david.locator("#field-name").fill(CLIENT);
  await david.getByRole("button", { name: "Next" }).click();
  await david.getByRole("button", { name: "Create Client" }).click();
  await expect(david).toHaveURL(new RegExp(`/orgs/STRINGER/clients/${CLIENT}/1.0$`));
  await expect(david.getByTestId("api-key")).toBeVisible();

  await gotoHydrated(david, "/orgs/STRINGER/members");
  // The same answer for an account that exists and one that does not.
  for (const name of [`ghost${run}`, JOINER]) {
    await david.locator("#field-username").fill(name);
    await david.getByRole("button", { name: "Add Member" }).click();
    await expect(david.getByRole("status").filter({ hasText: `Invitation sent to ${name}` })).toBeVisible();
    await expect(david.getByTestId("invitation-row").filter({ hasText: name })).toBeVisible();
  }
  await expect(david.getByTestId("member-row").filter({ hasText: JOINER })).toHaveCount(0);

  const joiner = await signedInPage(browser, JOINER, PASSWORD);
  await gotoHydrated(joiner, "/");
  const invitation = joiner.getByTestId("invitation").filter({ hasText: "STRINGER" });
  await expect(invitation).toContainText("as Viewer");
  await invitation.getByRole("button", { name: "Accept" }).click();
  await expect(joiner.getByRole("link", { name: /Stringer/ }).first()).toBeVisible();
  await expect(joiner.getByTestId("invitation")).toHaveCount(0);

  // A Viewer sees that a key exists, never its value: the server does not send it.
  await gotoHydrated(joiner, `/orgs/STRINGER/clients/${CLIENT}/1.0`);
  await expect(joiner.getByTestId("api-key-hidden")).toBeVisible();
  await expect(joiner.getByRole("button", { name: "Reveal" })).toHaveCount(0);
  await joiner.getByRole("tab", { name: "APIs" }).click();
  // innerText, not textContent: in textContent the tab labels run together
  // ("OverviewContractsAPIsPoliciesMetricsActivity…") and read as a 43-character key.
  expect(await joiner.locator("body").innerText()).not.toMatch(/[A-Za-z0-9_-]{43}/);

  // The Members tab filters, and David now sees the joiner among the members.
  await gotoHydrated(david, "/orgs/STRINGER/members");
  await david.getByLabel("Filter members").fill(JOINER);
  await expect(david.getByTestId("member-row")).toHaveCount(1);
  await expect(david.getByTestId("member-row")).toContainText(JOINER);
  await david.getByLabel("Filter members").fill(`nobody-${run}`);
  await expect(david.getByTestId("member-row")).toHaveCount(0);
});

test("a name with a text-direction override is refused at the field", async ({ page }) => {
  await signIn(page, "david", DEMO_PASSWORD);
  await gotoHydrated(page, "/create/organization");
  await page.locator("#field-name").fill("Gold\u202Edlog");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.locator('[data-field-error="name"]')).toContainText("U+202E");
});
