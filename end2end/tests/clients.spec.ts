import { expect, type Browser, type Page, test } from "@playwright/test";
import { ADMIN_PASSWORD, DEMO_PASSWORD, gotoHydrated, signIn } from "./helpers";

const run = Date.now().toString(36);

async function userPage(browser: Browser, username: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, username, password);
  return page;
}

async function createContract(page: Page, plan: string) {
  await page.getByRole("tab", { name: "Contracts" }).click();
  await page.locator("#contract-api").selectOption({ label: "PrivateEchoAPI 1.0 (STRINGER)" });
  await page.locator("#contract-plan").selectOption({ value: `${plan}/1.0` });
  await page.getByRole("button", { name: "Create Contract" }).click();
}

test("seed 000, first half: david creates Spring Corp. and contracts PrivateEchoAPI Gold", async ({ browser }) => {
  const david = await userPage(browser, "david", DEMO_PASSWORD);
  const clientName = `Spring Corp. ${run}`;
  const clientId = `SpringCorp${run}`;

  // Through the Create button: the first step selects the organization.
  await david.getByRole("button", { name: "Create", exact: true }).click();
  await david.getByRole("menuitem", { name: "Create Client" }).click();
  await expect(david.getByRole("heading", { name: "Create Client" })).toBeVisible();
  await expect(david.locator("#field-org")).toHaveValue("STRINGER");
  await david.getByRole("button", { name: "Next" }).click();
  await david.locator("#field-name").fill(clientName);
  await expect(david.locator("#field-version")).toHaveValue("1.0");
  await david.locator("#field-description").fill("Spring Corp., contact person: Rose Bloom");
  await david.getByRole("button", { name: "Next" }).click();
  await expect(david.locator('[data-summary="Name"]')).toHaveText(clientName);
  await expect(david.locator('[data-summary="Description"]')).toHaveText("Spring Corp., contact person: Rose Bloom");
  await david.getByRole("button", { name: "Create Client" }).click();
  await expect(david).toHaveURL(new RegExp(`/orgs/STRINGER/clients/${clientId}/1.0$`));
  await expect(david.locator('h1 [data-badge="Created"]')).toBeVisible();
  await expect(david.getByRole("link", { name: "Click here to create a new contract" })).toBeVisible();
  await david.getByRole("region", { name: "API Key", exact: true }).getByRole("button", { name: "Reveal" }).click();
  await expect(david.getByTestId("api-key")).toHaveText(/^[A-Za-z0-9_-]{43}$/);

  // From the organization's Clients tab: the organization is preset.
  await gotoHydrated(david, "/orgs/STRINGER/clients");
  await david.getByRole("link", { name: "Click here to create a new client" }).first().click();
  await expect(david.getByRole("heading", { name: "Details" })).toBeVisible();
  await expect(david.locator("#field-org")).toHaveCount(0);
  await david.locator("#field-name").fill(`Autumn ${run}`);
  await david.getByRole("button", { name: "Next" }).click();
  await expect(david.locator('[data-summary="Organization"]')).toHaveText("STRINGER");
  await david.getByRole("button", { name: "Create Client" }).click();
  await expect(david).toHaveURL(new RegExp(`/orgs/STRINGER/clients/Autumn${run}/1.0$`));

  // A contract to PrivateEchoAPI Gold in the console; david edits STRINGER's plans: no approval.
  await gotoHydrated(david, `/orgs/STRINGER/clients/${clientId}/1.0`);
  await createContract(david, "Gold");
  const row = david.getByTestId("contract-row").filter({ hasText: "PrivateEchoAPI 1.0" });
  await expect(row).toContainText("Gold 1.0");
  await expect(row.locator('[data-badge="Active"]')).toBeVisible();
  await expect(david.locator('h1 [data-badge="Ready"]')).toBeVisible();
  await gotoHydrated(david, "/orgs/STRINGER/apis/PrivateEchoAPI/1.0/contracts");
  await expect(david.getByTestId("contract-row").filter({ hasText: clientName })).toBeVisible();

  // Register, retire, delete.
  await gotoHydrated(david, `/orgs/STRINGER/clients/${clientId}/1.0`);
  await david.getByRole("button", { name: "Register", exact: true }).click();
  await expect(david.locator('h1 [data-badge="Registered"]')).toBeVisible();
  await expect(david.getByRole("button", { name: "Delete", exact: true })).toHaveCount(0);
  await david.getByRole("tab", { name: "APIs" }).click();
  await expect(david.getByTestId("client-api-endpoint")).toContainText("/gateway/STRINGER/PrivateEchoAPI/1.0");
  await david.getByRole("button", { name: "Retire" }).click();
  await david.getByRole("dialog").getByRole("button", { name: "Retire" }).click();
  await expect(david.locator('h1 [data-badge="Retired"]')).toBeVisible();
  await david.getByRole("button", { name: "Delete", exact: true }).click();
  await david.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(david).toHaveURL(/\/orgs\/STRINGER\/clients$/);
  await expect(david.getByTestId("client-row").filter({ hasText: clientName })).toHaveCount(0);
});

test("a consumer without rights on STRINGER requests Gold and david approves it", async ({ browser }) => {
  const rose = `rose${run}`;
  const admin = await userPage(browser, "admin", ADMIN_PASSWORD);
  await gotoHydrated(admin, "/admin/users");
  await admin.locator("#field-username").fill(rose);
  await admin.locator("#field-display_name").fill("Rose Bloom");
  await admin.locator("#field-password").fill("spring-corp-1");
  await admin.getByRole("button", { name: "Create User" }).click();
  await expect(admin.getByTestId("user-row").filter({ hasText: rose })).toBeVisible();

  const consumer = await userPage(browser, rose, "spring-corp-1");
  await gotoHydrated(consumer, "/create/organization");
  await consumer.locator("#field-name").fill(`Spring${run}`);
  await consumer.getByRole("button", { name: "Next" }).click();
  await consumer.getByRole("button", { name: "Create Organization" }).click();
  await expect(consumer).toHaveURL(new RegExp(`/orgs/Spring${run}$`));
  await gotoHydrated(consumer, `/create/client?org=Spring${run}`);
  await consumer.locator("#field-name").fill("Shop");
  await consumer.getByRole("button", { name: "Next" }).click();
  await consumer.getByRole("button", { name: "Create Client" }).click();
  await expect(consumer).toHaveURL(/\/clients\/Shop\/1.0$/);
  await createContract(consumer, "Gold");
  await expect(consumer.getByTestId("contract-row").locator('[data-badge="Awaiting Approval"]')).toBeVisible();
  await expect(consumer.locator('h1 [data-badge="Awaiting Approval"]')).toBeVisible();

  const david = await userPage(browser, "david", DEMO_PASSWORD);
  await expect(david.getByTestId("approval-count")).toHaveText(/[1-9]/);
  await gotoHydrated(david, "/approvals");
  const request = david.getByTestId("approval-request").filter({ hasText: `Spring${run}` });
  await expect(request).toContainText("Gold 1.0");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(david.getByTestId("approval-request").filter({ hasText: `Spring${run}` })).toHaveCount(0);

  await gotoHydrated(consumer, `/orgs/Spring${run}/clients/Shop/1.0`);
  await expect(consumer.locator('h1 [data-badge="Registered"]')).toBeVisible();
  await expect(consumer.getByTestId("overview-contract").locator('[data-badge="Active"]')).toBeVisible();
});
