import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, DEMO_PASSWORD, gotoHydrated, signIn } from "./helpers";

const run = Date.now().toString(36);

test("build a plan and an API by hand, then publish the API", async ({ page }) => {
  const orgId = `Acme${run}`;
  await signIn(page, "admin", ADMIN_PASSWORD);
  await gotoHydrated(page, "/create/organization");
  await page.locator("#field-name").fill(orgId);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Organization" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${orgId}$`));

  // Plan Gold from the Plans tab: the organization is preset, so the wizard starts at Details.
  await page.getByRole("tab", { name: "Plans" }).click();
  await page.getByRole("link", { name: "Click here to create a new plan" }).click();
  await expect(page.getByRole("heading", { name: "Create Plan" })).toBeVisible();
  await page.locator("#field-name").fill("Gold");
  await expect(page.locator("#field-version")).toHaveValue("1.0");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.locator('[data-summary="Organization"]')).toHaveText(orgId);
  await page.getByRole("button", { name: "Create Plan" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${orgId}/plans/Gold/1.0$`));

  await page.getByRole("tab", { name: "Policies" }).click();
  await page.locator("#policy-type").selectOption({ label: "Rate Limiting" });
  await page.getByRole("button", { name: "Add Policy" }).click();
  await page.locator("#policy-limit").fill("-5");
  await page.getByRole("button", { name: "Save Policy" }).click();
  await expect(page.locator('[data-field-error="limit"]')).toBeVisible();
  await page.locator("#policy-limit").fill("10");
  await page.locator("#policy-period").selectOption("Minute");
  await page.getByRole("button", { name: "Save Policy" }).click();
  await expect(page.getByTestId("policy-summary")).toHaveText("10 requests per minute per client");
  await expect(page.getByRole("button", { name: "Edit" })).toBeVisible();

  await page.getByRole("button", { name: "Lock" }).click();
  await expect(page.getByRole("dialog")).toContainText("can no longer be revised");
  await page.getByRole("dialog").getByRole("button", { name: "Lock" }).click();
  await expect(page.locator('h1 [data-badge="Locked"]')).toBeVisible();
  await expect(page.getByTestId("policies-read-only")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add Policy" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Lock" })).toHaveCount(0);

  // API through the Create button: the first step chooses the organization.
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("menuitem", { name: "Create API" }).click();
  await page.locator("#field-org").selectOption(orgId);
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#field-name").fill("Echo API");
  await expect(page.locator("#field-id")).toHaveValue("EchoAPI");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create API" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${orgId}/apis/EchoAPI/1.0$`));
  await expect(page.locator('h1 [data-badge="Created"]')).toBeVisible();
  // Only "every offered plan is locked" holds while nothing is offered.
  await expect(page.locator('[data-testid="checklist"] [data-done="true"]')).toHaveCount(1);

  await page.getByRole("tab", { name: "Plans" }).click();
  await page.getByLabel("Offer Gold 1.0").check();
  await page.getByLabel("Gold 1.0 requires approval").check();
  await page.getByRole("button", { name: "Save Plans" }).click();
  await expect(page.getByText("Plans saved.")).toBeVisible();

  await page.getByRole("tab", { name: "Overview" }).click();
  await page.locator("#field-endpoint").fill("not a url");
  await page.getByRole("button", { name: "Save Implementation" }).click();
  await expect(page.locator('[data-field-error="endpoint"]')).toBeVisible();
  await page.locator("#field-endpoint").fill(new URL("/echo", page.url()).toString());
  await page.getByRole("button", { name: "Save Implementation" }).click();
  await expect(page.locator('[data-testid="checklist"] [data-done="true"]')).toHaveCount(3);
  await expect(page.locator('h1 [data-badge="Ready"]')).toBeVisible();

  // Documentation: the server renders the Markdown and sanitises it, for the preview as well.
  const doc = page.getByRole("region", { name: "Documentation" });
  await page.locator("#field-markdown").fill(
    "# Usage\n\nSend *anything*. [good](https://example.com/docs) [bad](javascript:alert(1))\n\n<script>alert(1)</script>",
  );
  const preview = doc.locator(".prose-doc");
  await expect(preview.getByRole("heading", { name: "Usage" })).toBeVisible();
  await expect(preview.getByRole("link", { name: "good" })).toHaveAttribute("rel", "noopener noreferrer nofollow");
  // The script link keeps its text and loses its address.
  await expect(preview.locator("a", { hasText: "bad" })).not.toHaveAttribute("href");
  await expect(preview).toContainText("<script>alert(1)</script>");
  await page.getByRole("button", { name: "Save Details" }).click();
  await expect(page.getByText("Details saved.")).toBeVisible();

  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.locator('h1 [data-badge="Published"]')).toBeVisible();

  await gotoHydrated(page, `/portal/apis/${orgId}/EchoAPI`);
  const portalDoc = page.locator(".prose-doc");
  await expect(portalDoc.getByRole("heading", { name: "Usage" })).toBeVisible();
  await expect(portalDoc.locator("em")).toHaveText("anything");
  await expect(portalDoc.locator("a", { hasText: "bad" })).not.toHaveAttribute("href");
  await expect(portalDoc.locator('a[href*="script:"]')).toHaveCount(0);
  await expect(portalDoc.locator("script")).toHaveCount(0);

  await gotoHydrated(page, `/orgs/${orgId}/apis`);
  const row = page.getByTestId("api-row").filter({ hasText: "Echo API" });
  await expect(row).toContainText("1.0");
  await expect(row.locator('[data-badge="Published"]')).toBeVisible();
});

test("the demo world is ready-made for david", async ({ page }) => {
  await signIn(page, "david", DEMO_PASSWORD);
  await gotoHydrated(page, "/orgs/STRINGER/apis");
  await expect(page.getByTestId("api-row").filter({ hasText: "PrivateEchoAPI" }).locator('[data-badge="Published"]')).toBeVisible();
  await page.getByRole("tab", { name: "Plans" }).click();
  for (const plan of ["Gold", "Silver", "Bronze"]) {
    await expect(page.getByTestId("plan-row").filter({ hasText: plan }).locator('[data-badge="Locked"]')).toBeVisible();
  }
  await gotoHydrated(page, "/orgs/STRINGER/apis/PrivateEchoAPI/1.0/plans");
  await expect(page.getByTestId("offered-plan").filter({ hasText: "Gold" })).toContainText("Requires approval");
});
