import { expect, type Page } from "@playwright/test";

/** Passwords the e2e run gives the server (scripts/test.sh sets both variables). */
export const ADMIN_USER = "admin";
export const ADMIN_PASSWORD = process.env.GATEHOUSE_ADMIN_PASSWORD ?? "admin-e2e-password";
export const DEMO_PASSWORD = process.env.GATEHOUSE_DEMO_PASSWORD ?? "david-e2e-password";
/** The gateway's own origin (scripts/test.sh starts it on the e2e port + 1). */
export const GATEWAY_URL = process.env.GATEWAY_URL ?? "http://127.0.0.1:3101";

/** Network errors that mean "the server is not listening yet", worth retrying. */
const NOT_UP = /net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|CONNECTION_CLOSED)/;

/**
 * Opens `path` and waits until the Leptos app has hydrated (the app sets
 * `<body data-hydrated="true">` once the WASM has taken over), so that clicks reach event handlers.
 * The server may still be starting: connection errors are retried for up to `serverTimeoutMs`.
 */
export async function gotoHydrated(page: Page, path: string, serverTimeoutMs = 30_000): Promise<void> {
  await recordCspViolations(page);
  const deadline = Date.now() + serverTimeoutMs;
  for (;;) {
    try {
      await page.goto(path);
      break;
    } catch (error) {
      if (!NOT_UP.test(String(error)) || Date.now() > deadline) throw error;
      await page.waitForTimeout(500);
    }
  }
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
  await expectNoCspViolations(page);
}

const watchedPages = new WeakSet<Page>();

/**
 * Records every Content Security Policy violation of the page's documents on `window`, from before
 * any of their scripts run, so a policy that blocks hydration or a script fails the test.
 */
async function recordCspViolations(page: Page): Promise<void> {
  if (watchedPages.has(page)) return;
  watchedPages.add(page);
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
}

/** Fails if the current document reported a Content Security Policy violation. */
export async function expectNoCspViolations(page: Page): Promise<void> {
  const violations = await page.evaluate(
    () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
  );
  expect(violations, "Content Security Policy violations").toEqual([]);
}

/** Signs in through the login form and waits until the app has navigated away from /login. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await gotoHydrated(page, "/login");
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

/** Creates client `name` 1.0 in STRINGER with the Create Client wizard; ends on its page. */
export async function createClient(page: Page, name: string): Promise<void> {
  await gotoHydrated(page, "/create/client?org=STRINGER");
  await page.locator("#field-name").fill(name);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create Client" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/STRINGER/clients/${name}/1.0$`));
}
