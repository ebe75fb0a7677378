// Steps the specs share.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const ADMIN_EMAIL = "ana@example.com";
export const ADMIN_PASSWORD = "e2e-password-123";
export const shots = process.env.UPDATE_SCREENSHOTS ? "../docs/screenshots" : "test-results/screenshots";

/** Waits until the WASM has hydrated the page. */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor();
}

/** Opens the dashboard, is sent to sign in, signs in and lands on the inbox. */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  await page.goto("/agent");
  await expect(page).toHaveURL(/\/agent\/login$/);
  await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/agent$/);
  await hydrated(page);
}

/** axe-core finds no WCAG 2 A/AA violation on the page as it is now. */
export async function accessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  if (process.env.AXE_SOFT) {
    if (found.length) console.log(`AXE ${what}: ${found.join(" | ")}`);
    return;
  }
  expect(found, `axe violations on ${what}`).toEqual([]);
}

/** A visitor opens the widget page and starts a chat under `name` with `text`. */
export async function startChat(page: Page, name: string, text: string) {
  await page.goto("/widget");
  await hydrated(page);
  await page.getByTestId("start-name").fill(name);
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("composer-input").press("Enter");
  await expect(page.getByTestId("message").first()).toContainText(text);
}
