import { type Page } from "@playwright/test";
import { expect, test, accessible, hydrated, joinAsAgent, shots, signIn, startChat } from "./helpers";

// Agents answer from their phones: at 360–430 px every dashboard page fits the screen (no
// control past its edge, no sideways scrolling), one pane at a time, the thread's actions in
// a menu, and a reply goes out by tapping Send.

/** Every visible control whose box leaves the viewport, and whether the page scrolls sideways. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const outside = Array.from(document.querySelectorAll("a, button, input, select, textarea, summary, label"))
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.left < -1 || box.right > width + 1))
      .map(({ el, box }) => `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30)}" ${Math.round(box.left)}–${Math.round(box.right)}`);
    return { outside, sideways: document.documentElement.scrollWidth > width + 1 };
  });
}

async function fits(page: Page, what: string) {
  // Soft: one run lists every page that does not fit.
  expect.soft(await overflow(page), `${what} at ${page.viewportSize()!.width} px`).toEqual({ outside: [], sideways: false });
}

const PAGES = ["/agent", "/agent/team", "/agent/inboxes", "/agent/mail", "/agent/replies", "/agent/labels", "/agent/settings"];

test("every dashboard page fits a phone, and a reply is sent by tapping Send", async ({ browser }) => {
  const visitor = await (await browser.newContext()).newPage();
  await startChat(visitor, "Pia Phone", "Hello from my phone's customer");

  test.setTimeout(240_000);
  for (const width of [390, 360, 430]) {
    const context = await browser.newContext({ viewport: { width, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page);
    // Every page at 390 px; the narrowest and widest phones on the busiest pages.
    for (const path of width === 390 ? PAGES : ["/agent", "/agent/team", "/agent/inboxes"]) {
      await page.goto(path);
      await hydrated(page);
      await fits(page, path);
    }
    // The conversation: one pane, its actions behind a menu, the composer in reach.
    await page.goto("/agent");
    await hydrated(page);
    await page.getByTestId("view-all").tap();
    await page.getByTestId("conversation-item").filter({ hasText: "Pia Phone" }).tap();
    await expect(page.getByTestId("thread-title")).toHaveText("Pia Phone");
    await fits(page, "the conversation");
    await page.getByTestId("thread-more").tap();
    await expect(page.getByTestId("toggle-status")).toBeVisible();
    await fits(page, "the conversation's actions");
    if (width === 390) {
      await page.screenshot({ path: `${shots}/phone-thread-actions.png` });
      await accessible(page, "the conversation on a phone");
    }
    await page.getByTestId("thread-more").tap();
    await page.getByTestId("composer-input").fill(`Sent from ${width} px`);
    await page.getByRole("button", { name: "Send" }).tap();
    await expect(page.getByTestId("message").filter({ hasText: `Sent from ${width} px` })).toBeVisible();
    await expect(visitor.getByTestId("messages")).toContainText(`Sent from ${width} px`);
    if (width === 390) {
      await page.screenshot({ path: `${shots}/phone-thread.png` });
      await page.goto("/agent");
      await hydrated(page);
      await page.screenshot({ path: `${shots}/phone-inbox.png` });
    }
    await context.close();
  }
});

test("an agent's dashboard fits a phone too", async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await joinAsAgent(admin, page, "ria@example.com", "Ria Mobile", "ria-password-321");
  for (const path of ["/agent", "/agent/team", "/agent/replies", "/agent/labels", "/agent/settings"]) {
    await page.goto(path);
    await hydrated(page);
    await fits(page, path);
  }
  await page.goto("/agent/team");
  await hydrated(page);
  await page.screenshot({ path: `${shots}/phone-team-agent.png` });
  await context.close();
  await adminContext.close();
});
