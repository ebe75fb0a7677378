import { expect, test, hydrated, signIn, startChat } from "./helpers";

// The widget's header: the mute button looks like the close button (a round icon button with
// a visible focus ring) and its name says its state; who is helping is said once.
test("the widget header's mute button says its state, and who helps is said once", async ({ browser }) => {
  const visitor = await (await browser.newContext({ viewport: { width: 420, height: 700 } })).newPage();
  await startChat(visitor, "Hana", "Is anyone there?");
  const agent = await (await browser.newContext({ viewport: { width: 1360, height: 820 } })).newPage();
  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Hana" }).click();
  await agent.getByTestId("composer-input").fill("Hi Hana, Ana here.");
  await agent.getByTestId("composer-input").press("Enter");

  await expect(visitor.getByTestId("widget-status")).toHaveText("Ana is helping you");
  // Said once: no second row with Ana's name under the header.
  const header = visitor.locator(".widget-header");
  await expect(visitor.locator(".widget-agent")).toHaveCount(0);
  await expect(header.getByText("Ana", { exact: true })).toHaveCount(0);

  const mute = visitor.getByTestId("mute");
  await expect(mute).toHaveAttribute("aria-label", "Mute sounds");
  await expect(mute).toHaveAttribute("aria-pressed", "false");
  const round = await mute.evaluate((el) => getComputedStyle(el).borderRadius);
  expect(round).toBe("50%");
  // A visible ring when reached by keyboard.
  await mute.focus();
  await visitor.keyboard.press("Shift+Tab");
  await visitor.keyboard.press("Tab");
  await expect(mute).toBeFocused();
  const outline = await mute.evaluate((el) => { const s = getComputedStyle(el); return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; });
  expect(outline).toBe(true);
  await mute.click();
  await expect(mute).toHaveAttribute("aria-label", "Unmute sounds");
  await expect(mute).toHaveAttribute("aria-pressed", "true");
  await hydrated(visitor);
});
