import { expect, test } from "@playwright/test";
import { gotoHydrated, signIn } from "./helpers";

const ADMIN_PASSWORD = process.env.GATEHOUSE_ADMIN_PASSWORD ?? "admin-e2e-password";
const run = Date.now().toString(36);

test("a wrong password gets a message, the right one signs in", async ({ page }) => {
  await gotoHydrated(page, "/login");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not-the-password-1");
  const refused = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/api/"));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong username or password.")).toBeVisible();
  // Refused input is the caller's error, not a server failure.
  expect((await refused).status()).toBe(422);
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Administrator" })).toBeVisible();
});

test("signed-out visitors are sent to sign in", async ({ page }) => {
  await gotoHydrated(page, "/search");
  await expect(page).toHaveURL(/\/login\?next=\/search/);
});

test("create an organization with the Create button wizard", async ({ page }) => {
  const name = `Stringer ${run}`;
  const id = `Stringer${run}`;
  await signIn(page, "admin", ADMIN_PASSWORD);

  // Cancel discards the entries and creates nothing.
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("menuitem", { name: "Create Organization" }).click();
  await expect(page.getByRole("heading", { name: "Create Organization" })).toBeVisible();
  await page.getByLabel("Name", { exact: false }).first().fill(`Cancelled ${run}`);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page).not.toHaveURL(/create\/organization/);
  await gotoHydrated(page, `/search?q=Cancelled`);
  await expect(page.getByText("No organization matches your search.")).toBeVisible();

  // The real one: the id follows the name, Next validates, Back keeps the values.
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("menuitem", { name: "Create Organization" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Enter a name.")).toBeVisible();
  await page.locator("#field-name").fill(name);
  await expect(page.locator("#field-id")).toHaveValue(id);
  await page.locator("#field-description").fill("David's published APIs");
  await page.getByRole("button", { name: "Next" }).click();

  const summary = page.locator("dl");
  await expect(summary.locator('[data-summary="Name"]')).toHaveText(name);
  await expect(summary.locator('[data-summary="Organization ID"]')).toHaveText(id);
  await expect(summary.locator('[data-summary="Description"]')).toHaveText("David's published APIs");

  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.locator("#field-name")).toHaveValue(name);
  await expect(page.locator("#field-description")).toHaveValue("David's published APIs");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Organization" }).click();

  await expect(page).toHaveURL(new RegExp(`/orgs/${id}$`));
  await expect(page.getByRole("heading", { name })).toBeVisible();
  for (const tab of ["APIs", "Plans", "Clients", "Members", "Activity"]) {
    await expect(page.getByRole("tab", { name: tab })).toBeVisible();
  }

  // The same id again is refused next to the id field, and nothing is created.
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("menuitem", { name: "Create Organization" }).click();
  await page.locator("#field-name").fill(`Another ${run}`);
  await page.locator("#field-id").fill(id.toLowerCase());
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Organization" }).click();
  await expect(page.locator('[data-field-error="id"]')).toContainText("is taken");
  await expect(page.locator("#field-id")).toBeVisible();
});

test("add a member and see the change in Members and Activity", async ({ page }) => {
  const orgName = `Members ${run}`;
  const orgId = `Members${run}`;
  const rose = `rose${run}`;
  await signIn(page, "admin", ADMIN_PASSWORD);

  // An administrator creates the user account first.
  await gotoHydrated(page, "/admin/users");
  await page.locator("#field-username").fill(rose);
  await page.locator("#field-display_name").fill("Rose Bloom");
  await page.locator("#field-email").fill("rose@spring.example");
  await page.locator("#field-password").fill("spring-corp-1");
  await page.getByRole("button", { name: "Create User" }).click();
  await expect(page.getByTestId("user-row").filter({ hasText: rose })).toBeVisible();

  await gotoHydrated(page, "/create/organization");
  await page.locator("#field-name").fill(orgName);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Organization" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${orgId}$`));

  await page.getByRole("tab", { name: "Clients" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${orgId}/clients$`));
  await expect(page.getByText("This organization has no clients yet.")).toBeVisible();

  await page.getByRole("tab", { name: "Members" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${orgId}/members$`));
  await page.locator("#field-username").fill("nobody-at-all");
  await page.getByRole("button", { name: "Add Member" }).click();
  await expect(page.locator('[data-field-error="username"]')).toContainText("no user named nobody-at-all");

  await page.locator("#field-username").fill(rose);
  await page.locator("#field-role").selectOption({ label: "Client Developer" });
  await page.getByRole("button", { name: "Add Member" }).click();
  const row = page.getByTestId("member-row").filter({ hasText: rose });
  await expect(row).toBeVisible();
  await expect(row.getByRole("combobox")).toHaveValue("client_developer");

  // The only Owner cannot be removed.
  await page.getByTestId("member-row").filter({ hasText: "admin" }).getByRole("button", { name: "Remove" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText("is the last Owner")).toBeVisible();

  await page.getByRole("tab", { name: "Activity" }).click();
  await expect(page.getByTestId("activity-row").filter({ hasText: `Created organization ${orgId}` })).toBeVisible();
  await expect(page.getByTestId("activity-row").filter({ hasText: `Added member ${rose} as Client Developer` })).toBeVisible();
});
