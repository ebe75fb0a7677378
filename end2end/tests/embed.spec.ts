import { type Request } from "@playwright/test";
import * as fs from "node:fs";
import { expect, test, accessible, frameHydrated, shots, signIn } from "./helpers";

// The one-line embed on another site: the demo page at http://localhost:PORT loads the embed
// from http://127.0.0.1:PORT, a different site to the browser, so no cookie of the widget's
// reaches Switchboard from inside the frame.
test("the embed on another site: only the launcher until opened, then a chat that survives a reload", async ({ browser, baseURL }) => {
  fs.mkdirSync(shots, { recursive: true });
  const switchboard = new URL(baseURL!);
  const hostPage = `http://localhost:${switchboard.port}/`;
  const siteContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  // The host site's code calls the API before the embed has loaded, through the stub.
  await siteContext.addInitScript(() => {
    const w = window as any;
    w.Switchboard = w.Switchboard || function () { (w.Switchboard.q = w.Switchboard.q || []).push(arguments); };
    w.Switchboard("identify", { name: "Yuki Tanaka", email: "yuki@example.com" });
    w.Switchboard("setContext", { plan: "Pro", "cart items": 3 });
  });
  const site = await siteContext.newPage();
  const agent = await agentContext.newPage();
  const errors: string[] = [];
  site.on("pageerror", (error) => errors.push(error.message));
  const fromSwitchboard: Request[] = [];
  site.on("requestfinished", (request) => {
    if (new URL(request.url()).origin === switchboard.origin) fromSwitchboard.push(request);
  });

  // Before anyone opens the chat, the launcher script is all that comes from Switchboard.
  await site.goto(hostPage);
  const launcher = site.locator('[data-switchboard="launcher"]');
  await expect(launcher).toBeVisible();
  await site.waitForTimeout(1000);
  expect(fromSwitchboard.map((r) => new URL(r.url()).pathname)).toEqual(["/embed.js"]);
  const embedBytes = (await fromSwitchboard[0].sizes()).responseBodySize;
  expect(embedBytes, "embed.js as transferred").toBeLessThanOrEqual(5 * 1024);
  await expect(site.locator('iframe[data-switchboard="widget"]')).toHaveCount(0);

  // Hovering preloads the widget; a click opens it.
  await launcher.hover();
  await expect(site.locator('iframe[data-switchboard="widget"]')).toHaveCount(1);
  await launcher.click();
  const widget = site.frameLocator('iframe[data-switchboard="widget"]');
  await frameHydrated(widget);
  // Opening brings the lean widget bundle, never the dashboard's (scripts/build-widget.sh).
  const opened = fromSwitchboard.map((r) => new URL(r.url()).pathname);
  expect(opened).toContain("/pkg/widget.wasm");
  expect(opened).not.toContain("/pkg/switchboard.wasm");
  // identify() filled in who the visitor is.
  await expect(widget.getByTestId("start-name")).toHaveValue("Yuki Tanaka");
  await widget.getByTestId("composer-input").fill("Can I change my delivery address?");
  await widget.getByTestId("composer-input").press("Enter");
  await expect(widget.getByTestId("message")).toHaveText(/delivery address/);

  // The agent's reply arrives live in the frame (its socket names the visitor's token).
  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Yuki Tanaka" }).click();
  // What the site's code said shows beside the chat.
  await expect(agent.getByTestId("visitor-context").filter({ hasText: "plan" })).toContainText("Pro");
  await expect(agent.getByTestId("visitor-context").filter({ hasText: "cart items" })).toContainText("3");
  await agent.getByTestId("composer-input").fill("Yes, Yuki: which order is it?");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(widget.getByTestId("messages")).toContainText("which order is it?");
  await expect(widget.getByTestId("connection")).toHaveText("Online");
  await site.screenshot({ path: `${shots}/embed-desktop.png` });

  // The visitor moves on within the host site (as a single-page app does): the agent's panel
  // follows, with the page's title.
  await site.evaluate(() => {
    document.title = "Returns policy · Acme Outdoor";
    history.pushState({}, "", "/returns");
  });
  const page = agent.getByTestId("visitor-page");
  await expect(page).toContainText("Returns policy · Acme Outdoor");
  await expect(page.locator("a")).toHaveAttribute("href", `${hostPage}returns`);

  // Loading the host page again finds the same conversation.
  await site.goto(hostPage);
  await site.locator('[data-switchboard="launcher"]').click();
  await expect(widget.getByTestId("messages")).toContainText("delivery address");
  await expect(widget.getByTestId("messages")).toContainText("which order is it?");
  await accessible(site, "the host page with the widget open");

  // On a phone the widget fills the screen, the launcher steps aside, and the widget's own
  // close button closes it.
  await site.setViewportSize({ width: 390, height: 760 });
  const frameBox = await site.locator('iframe[data-switchboard="widget"]').boundingBox();
  expect(frameBox).toEqual({ x: 0, y: 0, width: 390, height: 760 });
  await expect(launcher).toBeHidden();
  await site.screenshot({ path: `${shots}/embed-phone.png` });
  // The widget follows the visitor's dark mode, and stays readable in it.
  await site.emulateMedia({ colorScheme: "dark" });
  await accessible(site, "the embedded widget in dark mode, on a phone");
  await site.screenshot({ path: `${shots}/embed-phone-dark.png` });
  await site.emulateMedia({ colorScheme: "light" });
  await widget.getByTestId("widget-close").click();
  await expect(site.locator('iframe[data-switchboard="widget"]')).toBeHidden();
  await expect(launcher).toBeVisible();

  // The page's API: open, and a callback for it.
  await site.evaluate(() => {
    (window as any).__opened = 0;
    (window as any).Switchboard.on("open", () => (window as any).__opened++);
    (window as any).Switchboard("open");
  });
  await expect(site.locator('iframe[data-switchboard="widget"]')).toBeVisible();
  expect(await site.evaluate(() => (window as any).__opened)).toBe(1);
  await site.setViewportSize({ width: 1100, height: 760 });
  await site.emulateMedia({ colorScheme: "dark" });
  await site.screenshot({ path: `${shots}/embed-desktop-dark.png` });
  // Malformed messages to the page and unknown calls are ignored, without an error.
  await site.evaluate(() => {
    window.postMessage({ type: "switchboard:identity", token: "<script>" }, "*");
    window.postMessage("garbage", "*");
    (window as any).Switchboard("selfDestruct");
  });
  expect(errors).toEqual([]);

  await siteContext.close();
  await agentContext.close();
});
