import { expect, hydrated, signIn, test } from "./helpers";

// The widget's server-rendered page works before its WASM arrives: what a visitor types is
// kept through hydration, and a press on Send is not a native form submission (which would
// reload the page with the text in its address) but a send, made once the page hydrated.
test("a message typed and sent before the widget hydrates arrives once, under the name typed", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 420, height: 700 }, serviceWorkers: "block" });
  const visitor = await context.newPage();
  // The widget's code is held back, as on a slow connection.
  let release = () => {};
  const held = new Promise<void>((done) => (release = done));
  await visitor.route("**/pkg/widget.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await visitor.goto("/widget", { waitUntil: "domcontentloaded" });
  await visitor.getByTestId("start-name").fill("Early Eve");
  await visitor.getByTestId("composer-input").fill("Typed before the code arrived");
  await visitor.getByTestId("send").click();
  await visitor.waitForTimeout(300);
  await expect(visitor).toHaveURL(/\/widget$/);
  await expect(visitor.locator("body[data-hydrated]")).toHaveCount(0);
  await expect(visitor.getByTestId("composer-input")).toHaveValue("Typed before the code arrived");

  release();
  await hydrated(visitor);
  await expect(visitor.getByTestId("message").first()).toContainText("Typed before the code arrived");
  await expect(visitor.getByTestId("message")).toHaveCount(1);
  await expect(visitor.getByTestId("composer-input")).toHaveValue("");

  const agent = await (await browser.newContext({ viewport: { width: 1360, height: 820 } })).newPage();
  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Early Eve" }).click();
  await expect(agent.getByTestId("messages")).toContainText("Typed before the code arrived");
  await expect(agent.getByTestId("message").filter({ hasText: "Typed before the code arrived" })).toHaveCount(1);
  await context.close();
});
