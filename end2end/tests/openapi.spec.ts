import { expect, type Page, test } from "@playwright/test";
import { createClient, DEMO_PASSWORD, GATEWAY_URL, gotoHydrated, signIn } from "./helpers";

const run = Date.now().toString(36);

const DOC = `openapi: 3.0.3
info:
  title: Pet Echo
  version: "1.0"
  description: Pets, **echoed**. <script>window.pwned = 1</script>
servers:
  - url: http://10.9.8.7:9000
tags:
  - name: pets
    description: Everything about pets
paths:
  /pets/{petId}:
    get:
      tags: [pets]
      operationId: getPet
      summary: Find a pet by id
      parameters:
        - { name: petId, in: path, required: true, schema: { type: integer }, example: 7 }
        - { name: verbose, in: query, schema: { type: boolean } }
      responses:
        200:
          description: The pet
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Pet' }
  /pets:
    post:
      tags: [pets]
      summary: Add a pet
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Pet' }
            example: { name: Rex }
      responses:
        201: { description: Created }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: { type: string, description: The pet's name }
        born: { type: string, format: date }
`;

/** The gateway's answer to a call with `key`: status and engine error name, if any. */
async function call(page: Page, endpoint: string, key: string): Promise<string> {
  const response = await page.request.get(`${endpoint}/pets/1`, { headers: { "X-API-Key": key } });
  const body = response.status() === 200 ? {} : await response.json();
  return `${response.status()} ${body.error ?? ""}`.trim();
}

test("a provider publishes an OpenAPI definition; a consumer reads the reference, tries it, rotates and revokes", async ({ page }) => {
  const api = `PetEcho${run}`;
  await signIn(page, "david", DEMO_PASSWORD);
  await gotoHydrated(page, "/create/api?org=STRINGER");
  await page.locator("#field-name").fill(api);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create API" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/STRINGER/apis/${api}/1.0`));

  // Definition: a bad document is refused at the field, saying where; then the real one.
  await page.getByRole("tab", { name: "Definition" }).click();
  await expect(page.getByTestId("definition-summary")).toHaveText("No definition yet.");
  await page.locator("#field-definition").fill("openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n");
  await page.getByRole("button", { name: "Save Definition" }).click();
  await expect(page.locator('[data-field-error="definition"]')).toContainText("Not valid OpenAPI 3.0.3");
  await page.locator("#field-definition").fill(DOC);
  await page.getByRole("button", { name: "Save Definition" }).click();
  await expect(page.getByTestId("definition-summary")).toHaveText("Pet Echo · OpenAPI 3.0.3 · 2 operations · YAML");

  // Plans, endpoint, publish: the definition is fixed from then on.
  await page.getByRole("tab", { name: "Plans" }).click();
  await page.getByLabel("Offer Gold 1.0").check();
  await page.getByRole("button", { name: "Save Plans" }).click();
  await expect(page.getByText("Plans saved.")).toBeVisible();
  await page.getByRole("tab", { name: "Overview" }).click();
  await page.locator("#field-endpoint").fill(new URL("/echo", page.url()).toString());
  await page.getByRole("button", { name: "Save Implementation" }).click();
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.locator('h1 [data-badge="Published"]')).toBeVisible();
  await page.getByRole("tab", { name: "Definition" }).click();
  await expect(page.locator("#field-definition")).toHaveAttribute("readonly", "");
  await expect(page.getByRole("button", { name: "Save Definition" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "OpenAPI definition" })).toContainText("fixed");

  // The portal's reference: operations by tag, parameters, schemas, examples; sanitised text.
  await gotoHydrated(page, `/portal/apis/STRINGER/${api}`);
  const reference = page.getByRole("region", { name: "API reference" });
  await expect(reference).toContainText("Pets, echoed.");
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(await reference.innerHTML()).not.toContain("<script");
  const ops = reference.getByTestId("operation");
  await expect(ops).toHaveCount(2);
  const get = reference.locator('[data-anchor="getPet"]');
  await expect(get).toContainText("GET");
  await expect(get).toContainText("/pets/{petId}");
  await expect(get.locator('[data-testid="parameter"][data-name="petId"]')).toContainText("path");
  await expect(get.locator('[data-testid="parameter"][data-name="petId"]')).toContainText("Example: 7");
  await expect(get.locator('[data-testid="response"][data-status="200"] [data-testid="property"][data-name="name"]')).toContainText("The pet's name");
  const example = JSON.parse((await get.getByTestId("example").textContent()) ?? "{}");
  expect(example).toEqual({ name: "string", born: "2026-01-01" });
  const post = reference.locator('[data-anchor="post-pets"]');
  expect(JSON.parse((await post.getByTestId("example").textContent()) ?? "{}")).toEqual({ name: "Rex" });

  // The filter box, and a deep link straight to one operation.
  await reference.getByTestId("reference-filter").fill("add a pet");
  await expect(ops).toHaveCount(1);
  await expect(ops.first()).toHaveAttribute("data-anchor", "post-pets");
  await reference.getByTestId("reference-filter").fill("");
  await expect(ops).toHaveCount(2);
  await gotoHydrated(page, `/portal/apis/STRINGER/${api}#op-getPet`);
  await expect(page.locator("#op-getPet")).toBeInViewport();

  // The download names the gateway, never the upstream.
  const href = (await page.getByTestId("download-openapi").getAttribute("href")) ?? "";
  const file = await page.request.get(href);
  expect(file.status()).toBe(200);
  const text = await file.text();
  expect(text).toContain(`${GATEWAY_URL}/gateway/STRINGER/${api}/1.0`);
  expect(text).not.toContain("10.9.8.7");

  // The consumer: a client signed up to this API's Gold plan in the portal.
  const client = `Tryer${run}`;
  await createClient(page, client);
  await gotoHydrated(page, `/portal/apis/STRINGER/${api}?for=STRINGER/${client}/1.0`);
  await page.locator('[data-testid="portal-plan"][data-plan="Gold"]').getByRole("link", { name: "Sign Up" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Confirm" }).click();
  const oldKey = (await page.getByTestId("signup-api-key").textContent())?.trim() ?? "";
  // The gateway's address comes after hydration: until then the endpoint reads as a bare path.
  await expect(page.getByTestId("signup-endpoint")).toHaveText(/^https?:\/\//);
  const endpoint = (await page.getByTestId("signup-endpoint").textContent())?.trim() ?? "";
  expect(oldKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await page.getByRole("button", { name: "Finish" }).click();

  // Try it on GET /pets/{petId}: the client is offered with its key masked, the example fills
  // the path parameter, and the echo upstream answers through the gateway.
  const tryGetPet = async () => {
    await gotoHydrated(page, `/portal/apis/STRINGER/${api}#op-getPet`);
    const op = page.locator('[data-anchor="getPet"]');
    await op.getByRole("button", { name: "Try it: GET /pets/{petId}" }).click();
    const panel = op.getByTestId("try-it");
    await expect(panel.getByTestId("try-client")).toHaveValue(`STRINGER/${client}/1.0`);
    await expect(panel.locator('[data-testid="try-param"][data-name="petId"] input')).toHaveValue("7");
    await panel.locator('[data-testid="try-param"][data-name="verbose"] input').fill("true");
    await panel.getByRole("button", { name: "Send" }).click();
    await expect(panel.getByTestId("try-status")).toHaveText("200");
    return panel;
  };
  let panel = await tryGetPet();
  const option = (await panel.getByTestId("try-client").locator("option").first().textContent()) ?? "";
  expect(option).toContain(`${oldKey.slice(0, 4)}…`);
  expect(option).not.toContain(oldKey);
  const echoed = JSON.parse((await panel.getByTestId("try-body-out").textContent()) ?? "{}");
  expect(echoed).toMatchObject({ method: "GET", path: "/pets/7", query: "verbose=true" });
  const curl = (await panel.getByTestId("try-curl").textContent()) ?? "";
  expect(curl).toContain(`'${endpoint}/pets/7?verbose=true'`);
  expect(curl).toContain("$API_KEY");
  expect(curl).not.toContain(oldKey);
  await expect(panel.getByTestId("try-latency")).toContainText("ms");

  // Rotate with a 1-hour grace in My Clients: both keys answer; revoke the old one: KeyRevoked.
  await gotoHydrated(page, "/portal/clients");
  const mine = page.locator(`[data-testid="my-client"][data-client="${client}"]`);
  await mine.getByTestId("keys-disclosure").locator("summary").click();
  const rows = mine.getByTestId("key-row");
  await mine.getByRole("button", { name: "Rotate Key" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate API key" });
  await dialog.locator("#field-grace_hours").fill("1");
  await dialog.getByRole("button", { name: "Rotate" }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toHaveAttribute("data-state", "Expiring");
  await rows.nth(0).getByRole("button", { name: "Reveal" }).click();
  const newKey = (await rows.nth(0).getByTestId("key-value").textContent())?.trim() ?? "";
  expect(newKey).not.toBe(oldKey);
  await expect.poll(() => call(page, endpoint, newKey), { timeout: 5000 }).toBe("200");
  expect(await call(page, endpoint, oldKey)).toBe("200");
  await rows.nth(1).getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog", { name: "Revoke API key" }).getByRole("button", { name: "Revoke" }).click();
  await expect(rows.nth(1)).toHaveAttribute("data-state", "Revoked");
  await expect.poll(() => call(page, endpoint, oldKey), { timeout: 5000 }).toBe("403 KeyRevoked");

  // Try it now uses the new key.
  panel = await tryGetPet();
  expect(await panel.getByTestId("try-client").locator("option").first().textContent()).toContain(`${newKey.slice(0, 4)}…`);
});
