import { expect, type Page, test } from "@playwright/test";
import { DEMO_PASSWORD, gotoHydrated, signIn } from "./helpers";

// The WebAssembly is split by area (app/src/ui/lazy.rs, `cargo leptos build --split`): the portal
// home runs on the main module alone, and each other area downloads its own code on first use.

/** Records the path of every .wasm file the page requests from now on. */
function recordWasm(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) seen.add(path);
  });
  return seen;
}

test("the portal home loads no console code; each area loads its own on first use", async ({ page: login }) => {
  await signIn(login, "david", DEMO_PASSWORD);
  // A new tab with the session: no request of the sign-in's own navigation is still under way.
  const page = await login.context().newPage();

  const home = recordWasm(page);
  await gotoHydrated(page, "/portal");
  await expect(page.getByRole("link", { name: "Learn more" }).first()).toBeVisible();
  // Only the main module: no chunk of the console, the sign-in page or the other portal pages.
  expect([...home]).toHaveLength(1);
  const [main] = [...home];
  expect(main).toMatch(/\/pkg\/gatehouse[^/]*\.wasm$/);

  // A portal page reached by a link fetches the portal area's code, then works.
  const apiPage = recordWasm(page);
  await page.getByRole("link", { name: "Learn more" }).first().click();
  await expect(page).toHaveURL(/\/portal\/apis\//);
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
  expect([...apiPage].filter((path) => path !== main).length).toBeGreaterThan(0);

  // The console's organization page, loaded afresh: main module plus chunks the portal home did
  // not need, and it hydrates (its tabs answer clicks).
  const org = recordWasm(page);
  await gotoHydrated(page, "/orgs/STRINGER");
  const orgChunks = [...org].filter((path) => path !== main);
  expect(orgChunks.length).toBeGreaterThan(0);
  await page.getByRole("tab", { name: "Members" }).click();
  await expect(page).toHaveURL(/\/orgs\/STRINGER\/members$/);
});
