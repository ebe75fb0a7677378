import { type Page } from "@playwright/test";
import { expect, test, hydrated, signIn } from "./helpers";

// Every control of the dashboard is reachable with Tab, says what it is, and shows where the
// focus is; a conversation can be opened, answered and resolved without a mouse.
async function tabThrough(page: Page, presses: number) {
  const seen: { name: string; visible: boolean; tag: string }[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    seen.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return { name: "", visible: true, tag: "body" };
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        const ring = style.boxShadow !== "none";
        const name = (
          el.getAttribute("aria-label") ||
          (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) ||
          el.closest("label")?.textContent ||
          el.getAttribute("title") ||
          el.getAttribute("placeholder") ||
          el.textContent ||
          ""
        ).trim();
        return { name, visible: outline || ring, tag: el.tagName.toLowerCase() };
      }),
    );
  }
  return seen.filter((s) => s.tag !== "body");
}

test("the dashboard works by keyboard, with the focus always visible", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Kim Keys");
  await visitor.getByTestId("composer-input").fill("Can you hear me?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/hear me/);
  await signIn(page);
  await expect(page.getByTestId("conversation-item").first()).toBeVisible();

  const reached = await tabThrough(page, 40);
  for (const control of reached) {
    expect(control.name, `a ${control.tag} without a name`).not.toBe("");
    expect(control.visible, `no visible focus on ${control.tag} "${control.name}"`).toBe(true);
  }
  const names = reached.map((c) => c.name);
  for (const wanted of ["Inbox", "Team", "Inboxes", "Your settings", "Sign out"]) {
    expect(names, `Tab reaches ${wanted}`).toContain(wanted);
  }
  expect(names.some((n) => n.startsWith("Mine"))).toBe(true);
  expect(names.some((n) => n.startsWith("Resolved"))).toBe(true);

  // Open the first conversation, answer and resolve it, all from the keyboard.
  await page.getByTestId("conversation-item").first().focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/agent\/c\//);
  // The thread is on screen (its composer too) before the shortcut asks for it.
  await expect(page.getByTestId("messages")).toContainText("Can you hear me?");
  await expect(page.getByTestId("composer-input")).toBeVisible();
  await page.locator("body").press("c");
  await expect(page.getByTestId("composer-input")).toBeFocused();
  await page.keyboard.type("Answered by keyboard.");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("message").filter({ hasText: "Answered by keyboard." })).toBeVisible();
  await page.getByTestId("toggle-status").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("toggle-status")).toHaveText("Reopen");
  await page.keyboard.press("Space");
  await expect(page.getByTestId("toggle-status")).toHaveText("Resolve");
  await context.close();
});
