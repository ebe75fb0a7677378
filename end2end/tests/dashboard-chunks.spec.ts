import { type Page } from "@playwright/test";
import { accessible, expect, hydrated, shots, signIn, startChat, test } from "./helpers";

// The dashboard's first load is the inbox alone (src/app/pages.rs): an open conversation is a
// chunk of its own, fetched when the agent points at the list or opens one, and the settings
// pages share another. A page the browser starts on has its chunk fetched before it hydrates.
// A chunk that cannot be fetched (a dropped network, a redeploy that replaced it) is said in the
// page's place, with a reload, and the rest of the dashboard keeps working.

const DASHBOARD_CHUNK = /\/pkg\/split_dashboard_[\w.-]+\.wasm$/;
const CONVERSATION_CHUNK = /\/pkg\/split_dashboard_conversation\.\w+\.wasm$/;
const SETTINGS_CHUNK = /\/pkg\/split_dashboard_settings_pages\.\w+\.wasm$/;

function chunkRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (DASHBOARD_CHUNK.test(path)) seen.push(path);
  });
  return seen;
}

test("the inbox loads without a page's chunk; pointing at the list fetches the conversation's; a page opened directly hydrates with its own", async ({ browser }) => {
  const visitor = await (await browser.newContext()).newPage();
  await startChat(visitor, "Cora Chunk", "Hello from a split dashboard");

  const agent = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  const chunks = chunkRequests(agent);
  await signIn(agent);
  await expect(agent.getByTestId("conversation-item").first()).toBeVisible();
  await agent.waitForLoadState("networkidle");
  expect(chunks).toEqual([]);

  // Pointing at the list starts the conversation's chunk before the click.
  const fetched = agent.waitForResponse((response) => CONVERSATION_CHUNK.test(new URL(response.url()).pathname));
  await agent.getByTestId("conversation-item").filter({ hasText: "Cora Chunk" }).hover();
  expect((await fetched).headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  await agent.getByTestId("conversation-item").filter({ hasText: "Cora Chunk" }).click();
  await expect(agent.getByTestId("message").first()).toContainText("Hello from a split dashboard");
  const conversation = agent.url();
  await agent.getByTestId("composer-input").fill("Answered from a chunk");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message").filter({ hasText: "Answered from a chunk" })).toBeVisible();
  expect(chunks.some((path) => SETTINGS_CHUNK.test(path))).toBe(false);

  // A settings page fetches the settings pages' chunk on the way.
  await agent.getByTestId("nav-team").click();
  await expect(agent.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
  expect(chunks.filter((path) => SETTINGS_CHUNK.test(path)).length).toBe(1);

  // Opened directly, the conversation's page hydrates with its chunk, and works.
  const fresh = await (await browser.newContext({ storageState: await agent.context().storageState() })).newPage();
  const freshChunks = chunkRequests(fresh);
  await fresh.goto(conversation);
  await hydrated(fresh);
  expect(freshChunks.some((path) => CONVERSATION_CHUNK.test(path))).toBe(true);
  await expect(fresh.getByTestId("message").filter({ hasText: "Answered from a chunk" })).toBeVisible();
  await fresh.getByTestId("composer-input").fill("And once more after a reload");
  await fresh.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message").filter({ hasText: "once more after a reload" })).toBeVisible();

  // So does each settings page, not only the first of their chunk: a label made on a page
  // opened directly is listed without leaving it (an unhydrated form would post and reload).
  const panics: string[] = [];
  fresh.on("console", (message) => {
    if (message.text().includes("panicked")) panics.push(message.text());
  });
  await fresh.goto("/agent/labels");
  await hydrated(fresh);
  const name = `Chunked ${Date.now() % 100000}`;
  await fresh.getByTestId("label-name").fill(name);
  await fresh.getByTestId("label-save").click();
  await expect(fresh.getByTestId("label-item").filter({ hasText: name })).toBeVisible();
  await expect(fresh).toHaveURL(/\/agent\/labels$/);
  expect(panics).toEqual([]);
});

test("a page whose chunk cannot be fetched says so, with a reload, and the inbox keeps working", async ({ browser }) => {
  const agent = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  await signIn(agent);
  // As after a redeploy that replaced the chunk: its old name is gone.
  await agent.route(SETTINGS_CHUNK, (route) => route.fulfill({ status: 404, body: "" }));
  await agent.getByTestId("nav-team").click();
  await expect(agent.getByTestId("page-failed")).toBeVisible();
  await expect(agent.getByTestId("page-failed")).toHaveAttribute("role", "alert");
  await expect(agent.getByRole("button", { name: "Reload" })).toBeVisible();
  await accessible(agent, "a dashboard page that did not load");
  await agent.screenshot({ path: `${shots}/dashboard-page-failed.png` });
  // The rest of the dashboard is still live: back to the inbox.
  await agent.getByRole("link", { name: "Inbox", exact: true }).click();
  await expect(agent).toHaveURL(/\/agent$/);
  await expect(agent.getByTestId("conversation-list")).toBeVisible();

  // Opened directly, the server's page stays as it was rendered and a bar above it says so.
  await agent.goto("/agent/team");
  await expect(agent.getByTestId("page-failed")).toBeVisible();
  await expect(agent.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
  await agent.unroute(SETTINGS_CHUNK);
  await agent.getByRole("button", { name: "Reload" }).click();
  await hydrated(agent);
  await expect(agent.getByTestId("page-failed")).toHaveCount(0);
  await expect(agent.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
});
