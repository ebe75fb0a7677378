import { type Page } from "@playwright/test";
import { accessible, expect, hydrated, shots, test } from "./helpers";

// The widget's chat is a chunk split off its bundle (scripts/build-site.sh): a new visitor's
// first open fetches only the start form's code; the chunk comes with the first message, or
// while a returning visitor's page hydrates. A chunk that cannot be fetched (a dropped network,
// a redeploy that replaced it) is said, with a retry, and the conversation is not lost.

const CHUNK = /\/pkg\/split_[\w.-]+\.wasm$/;

function chunkRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    if (CHUNK.test(new URL(request.url()).pathname)) seen.push(request.url());
  });
  return seen;
}

test("the chat's chunk is fetched with the first message, not on opening, and again on a return", async ({ browser }) => {
  const visitor = await (await browser.newContext({ viewport: { width: 420, height: 700 } })).newPage();
  const chunks = chunkRequests(visitor);
  await visitor.goto("/widget");
  await hydrated(visitor);
  await expect(visitor.getByTestId("start-name")).toBeVisible();
  expect(chunks).toEqual([]);

  await visitor.getByTestId("start-name").fill("Lena Lazy");
  const chunk = visitor.waitForResponse((response) => CHUNK.test(new URL(response.url()).pathname));
  await visitor.getByTestId("composer-input").fill("Hello, first message");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message").first()).toContainText("Hello, first message");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");
  expect(chunks.length).toBe(1);
  // Named by its content, so cached for good.
  expect((await chunk).headers()["cache-control"]).toBe("public, max-age=31536000, immutable");

  // A returning visitor's page renders the chat on the server; it hydrates once the chunk is in.
  await visitor.reload();
  await hydrated(visitor);
  expect(chunks.length).toBe(2);
  await visitor.getByTestId("composer-input").fill("And a second one after the reload");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.locator("[data-testid=message]:not(.pending)").filter({ hasText: "second one" })).toBeVisible();
  await expect(visitor.getByTestId("message")).toHaveCount(2);
});

test("a chunk that cannot be fetched is said with a retry, and the conversation survives it", async ({ browser }) => {
  // No service worker: it would fetch the chunk itself, past this page's routes.
  const context = await browser.newContext({ viewport: { width: 420, height: 700 }, serviceWorkers: "block" });
  const visitor = await context.newPage();
  // As after a redeploy: the chunk this page's code names is gone.
  await visitor.route(CHUNK, (route) => route.fulfill({ status: 404, body: "gone" }));
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
  await visitor.unroute(CHUNK);
  await failed.getByRole("button", { name: "Try again" }).click();
  await hydrated(visitor);
  await expect(visitor.getByTestId("message").first()).toContainText("Sent before the chunk failed");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");
  await context.close();
});
