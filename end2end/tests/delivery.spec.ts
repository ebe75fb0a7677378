import { type Page } from "@playwright/test";
import { expect, test } from "./helpers";

const shots = process.env.UPDATE_SCREENSHOTS ? "../docs/screenshots" : "screenshots";

async function hydrated(page: Page) {
  // The widget hydrates at its first use: a pointer press stands for it.
  await page.locator("body").dispatchEvent("pointerdown");
  await page.locator("body[data-hydrated]").waitFor();
}

test("messages written offline survive a reload and arrive once, in order, then get read", async ({ browser }) => {
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 680 } });
  const agent = await agentContext.newPage();
  const visitor = await visitorContext.newPage();

  await agent.goto("/agent/login");
  await hydrated(agent);
  await agent.getByLabel("E-mail").fill("ana@example.com");
  await agent.getByLabel("Password").fill("e2e-password-123");
  await agent.getByRole("button", { name: "Sign in" }).click();
  await expect(agent.getByTestId("connection")).toHaveText("Online");

  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Tom Train");
  await visitor.getByTestId("composer-input").fill("Hello from the train");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");
  // The service worker holds the widget for offline use once it is active.
  await visitor.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null);
  // …with this chat in its copy of the page (asked for when the chat started).
  await visitor.waitForFunction(async () => {
    const page = await (await caches.open("switchboard-widget-v3")).match("/widget");
    return page !== undefined && (await page.text()).includes("Hello from the train");
  });
  // …and the chat's chunk (the widget's bundle is split), which a reload offline needs.
  await visitor.waitForFunction(async () => {
    const keys = await (await caches.open("switchboard-widget-v3")).keys();
    return keys.some((request) => /\/pkg\/split_[\w.-]+\.wasm$/.test(new URL(request.url).pathname));
  });

  await agent.getByTestId("conversation-item").filter({ hasText: "Tom Train" }).click();
  await expect(agent.getByTestId("messages")).toContainText("Hello from the train");

  // Offline: three messages wait in the outbox as "sending".
  await visitorContext.setOffline(true);
  for (const body of ["offline one", "offline two", "offline three"]) {
    await visitor.getByTestId("composer-input").fill(body);
    await visitor.getByTestId("composer-input").press("Enter");
    await expect(visitor.locator(".pending").filter({ hasText: body })).toBeVisible();
  }
  await expect(visitor.locator(".pending [data-testid=tick]")).toHaveCount(3);

  // A reload while still offline keeps them.
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.locator(".pending")).toHaveCount(3);
  await expect(visitor.getByTestId("messages")).toContainText("Hello from the train");
  await expect(agent.getByTestId("messages")).not.toContainText("offline one");

  // Online again: the agent gets all three, once each, in order.
  await visitorContext.setOffline(false);
  await expect(agent.getByTestId("messages")).toContainText("offline three");
  const texts = await agent.locator("[data-testid=message] .bubble-body").allTextContents();
  const offline = texts.filter((t) => t.startsWith("offline"));
  expect(offline).toEqual(["offline one", "offline two", "offline three"]);
  await expect(visitor.locator(".pending")).toHaveCount(0);

  // The agent's open, visible conversation marks them read; the visitor sees it.
  for (const body of ["offline one", "offline two", "offline three"]) {
    const row = visitor.getByTestId("message").filter({ hasText: body });
    await expect(row.getByTestId("tick")).toHaveAttribute("data-state", "read");
  }
  // And the agent's reply is marked read once the visitor's widget shows it.
  await agent.getByTestId("composer-input").fill("Got all three, in order.");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("messages")).toContainText("Got all three");
  const reply = agent.getByTestId("message").filter({ hasText: "Got all three" });
  await expect(reply.getByTestId("tick")).toHaveAttribute("data-state", "read");
  await visitor.screenshot({ path: `${shots}/widget-ticks.png` });

  await agentContext.close();
  await visitorContext.close();
});

test("a message the server refuses is marked failed with the reason, and can be deleted", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 420, height: 680 } });
  const visitor = await context.newPage();
  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("composer-input").fill("Hi there");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");

  // Forge an outbox entry the server will refuse (its id is not a UUID), then reload.
  const id = await visitor.evaluate(() =>
    fetch("/api/visitor_session", { method: "POST", headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((s) => s.conversation.id as string),
  );
  await visitor.evaluate((conversationId) => {
    localStorage.setItem(
      `switchboard.outbox.${conversationId}`,
      JSON.stringify([{ client_id: "not-a-uuid", body: "forged", created_at: Date.now(), failed: null }]),
    );
  }, id);
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.getByTestId("failed-note")).toContainText("client_id must be a UUID");
  await visitor.getByTestId("failed-note").getByRole("button", { name: "Delete" }).click();
  await expect(visitor.getByTestId("failed-note")).toHaveCount(0);
  expect(await visitor.evaluate((cid) => localStorage.getItem(`switchboard.outbox.${cid}`), id)).toBeNull();
  await context.close();
});
