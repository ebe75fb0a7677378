import { type Page } from "@playwright/test";
import { accessible, expect, hydrated, shots, test } from "./helpers";

// The widget's code is split (scripts/build-site.sh): a new visitor's first open fetches the
// lean bundle's main module only, which waits for the visitor's first use (src/widget/wake.rs);
// the first use fetches the widget's chunk (and the code it shares with the chat's) and hydrates;
// the chat's chunk comes while the first message is typed, or with the widget's chunk when a
// returning visitor's page is the chat. A chunk that cannot be fetched (a dropped network, a
// redeploy that replaced it) is said, with a retry, and nothing typed or sent is lost.

const CHUNK = /\/pkg\/split_[\w.-]+\.wasm$/;
const WIDGET_CHUNK = /\/pkg\/split_widget_app\.[\w]+\.wasm$/;
const CHAT_CHUNK = /\/pkg\/split_widget_chat\.[\w]+\.wasm$/;

function chunkRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    if (CHUNK.test(new URL(request.url()).pathname)) seen.push(new URL(request.url()).pathname);
  });
  return seen;
}

test("the first open fetches no chunk; the first use the widget's, the first message the chat's; a return hydrates at once", async ({ browser }) => {
  const visitor = await (await browser.newContext({ viewport: { width: 420, height: 700 } })).newPage();
  const chunks = chunkRequests(visitor);
  await visitor.goto("/widget");
  await expect(visitor.getByTestId("start-name")).toBeVisible();
  await expect(visitor.getByTestId("greeting")).toBeVisible();
  // The main module is in and waiting: nothing more comes until the visitor does something.
  await visitor.waitForLoadState("networkidle");
  await visitor.waitForTimeout(500);
  expect(chunks).toEqual([]);
  await expect(visitor.locator("body[data-hydrated]")).toHaveCount(0);

  await visitor.getByTestId("start-name").focus();
  await visitor.locator("body[data-hydrated]").waitFor();
  expect(chunks.some((path) => WIDGET_CHUNK.test(path))).toBe(true);
  expect(chunks.some((path) => CHAT_CHUNK.test(path))).toBe(false);

  await visitor.getByTestId("start-name").fill("Lena Lazy");
  const chatChunk = visitor.waitForResponse((response) => CHAT_CHUNK.test(new URL(response.url()).pathname));
  await visitor.getByTestId("composer-input").fill("Hello, first message");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message").first()).toContainText("Hello, first message");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");
  expect(chunks.filter((path) => CHAT_CHUNK.test(path)).length).toBe(1);
  // Named by its content, so cached for good.
  expect((await chatChunk).headers()["cache-control"]).toBe("public, max-age=31536000, immutable");

  // A returning visitor's page renders the chat on the server: it hydrates without waiting for
  // a first use (an agent's reply must arrive live), with both chunks.
  chunks.length = 0;
  await visitor.reload();
  await visitor.locator("body[data-hydrated]").waitFor();
  expect(chunks.some((path) => WIDGET_CHUNK.test(path))).toBe(true);
  expect(chunks.some((path) => CHAT_CHUNK.test(path))).toBe(true);
  await visitor.getByTestId("composer-input").fill("And a second one after the reload");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.locator("[data-testid=message]:not(.pending)").filter({ hasText: "second one" })).toBeVisible();
  await expect(visitor.getByTestId("message")).toHaveCount(2);
});

test("a widget chunk that cannot be fetched is said, keeps what was typed and sent, and its retry sends it", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 420, height: 700 }, serviceWorkers: "block" });
  const visitor = await context.newPage();
  // The network drops as the visitor starts to write.
  await visitor.route(CHUNK, (route) => route.abort("internetdisconnected"));
  await visitor.goto("/widget");
  await visitor.getByTestId("start-name").fill("Nadia Netless");
  await visitor.getByTestId("composer-input").fill("Sent while the code could not load");
  await visitor.getByTestId("send").click();

  const failed = visitor.getByTestId("widget-failed");
  await expect(failed).toBeVisible();
  await expect(failed).toHaveAttribute("role", "alert");
  await expect(failed).toContainText("could not load");
  await expect(visitor.getByTestId("start-name")).toHaveValue("Nadia Netless");
  await expect(visitor.getByTestId("composer-input")).toHaveValue("Sent while the code could not load");
  await visitor.screenshot({ path: `${shots}/widget-load-failed.png` });
  await accessible(visitor, "the widget's load failure");

  // The network is back: the retry fetches the code in place, hydrates, and sends what was sent.
  await visitor.unroute(CHUNK);
  await failed.getByRole("button", { name: "Try again" }).click();
  await visitor.locator("body[data-hydrated]").waitFor();
  await expect(failed).toBeHidden();
  await expect(visitor.getByTestId("message").first()).toContainText("Sent while the code could not load");
  await expect(visitor.getByTestId("message")).toHaveCount(1);
  await context.close();
});

test("a chat chunk that cannot be fetched is said with a retry, and the conversation survives it", async ({ browser }) => {
  // No service worker: it would fetch the chunk itself, past this page's routes.
  const context = await browser.newContext({ viewport: { width: 420, height: 700 }, serviceWorkers: "block" });
  const visitor = await context.newPage();
  // As after a redeploy: the chunk this page's code names is gone.
  await visitor.route(CHAT_CHUNK, (route) => route.fulfill({ status: 404, body: "gone" }));
  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Rita Retry");
  await visitor.getByTestId("composer-input").fill("Sent before the chunk failed");
  await visitor.getByTestId("composer-input").press("Enter");

  const failed = visitor.getByTestId("chunk-failed");
  await expect(failed).toBeVisible();
  await expect(failed).toHaveAttribute("role", "alert");
  await expect(failed).toContainText("could not load");
  await visitor.screenshot({ path: `${shots}/widget-chunk-failed.png` });
  await accessible(visitor, "the widget's chunk failure");

  // A returning visitor's page is the chat rendered on the server: without its chunk it is not
  // hydrated, and says so in the chat's place.
  await visitor.reload();
  await expect(failed).toBeVisible();
  await expect(visitor.getByTestId("composer-input")).toHaveCount(0);

  // The network is back: the retry reloads the page, and the message is there.
  await visitor.unroute(CHAT_CHUNK);
  await failed.getByRole("button", { name: "Try again" }).click();
  await hydrated(visitor);
  await expect(visitor.getByTestId("message").first()).toContainText("Sent before the chunk failed");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");
  await context.close();
});

test("the embed's widget closes before its code arrives", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 420, height: 700 }, serviceWorkers: "block" });
  const site = await context.newPage();
  // The widget's code is held back, as on a slow connection.
  let release = () => {};
  const held = new Promise<void>((done) => (release = done));
  await site.route(CHUNK, async (route) => {
    await held;
    await route.continue();
  });
  await site.goto("/");
  await site.locator('[data-switchboard="launcher"]').click();
  const frame = site.locator('iframe[data-switchboard="widget"]');
  const widget = site.frameLocator('iframe[data-switchboard="widget"]');
  await expect(widget.getByTestId("widget-close")).toBeVisible();
  await widget.getByTestId("widget-close").click();
  await expect(frame).toBeHidden();
  await expect(widget.locator("body[data-hydrated]")).toHaveCount(0);
  release();
  await context.close();
});
