import { expect, test, hydrated, signIn } from "./helpers";

// A long conversation in the agent's thread: it opens at the newest message, follows new ones
// and the typing notice while the agent reads at the bottom, and "Load earlier messages" keeps
// the agent's place instead of jumping to the oldest.
test("the thread follows the newest message and keeps its place when older ones load", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 680 } });
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Theo Long");
  await visitor.getByTestId("composer-input").fill("Message 1");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/Message 1/);
  // 59 more through the widget's own server function: more than one page of history.
  await visitor.evaluate(async () => {
    for (let n = 2; n <= 60; n++) {
      const body = new URLSearchParams({ body: `Message ${n}`, client_id: crypto.randomUUID() });
      const response = await fetch("/api/send_visitor_message", { method: "POST", body });
      if (!response.ok) throw new Error(`message ${n}: ${response.status}`);
    }
  });

  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Theo Long" }).click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Theo Long");
  const newest = agent.getByTestId("message").filter({ hasText: "Message 60" });
  await expect(newest).toBeInViewport({ ratio: 1 });

  // At the bottom, a new message and the typing notice come into view.
  await visitor.getByTestId("composer-input").fill("Message 61");
  await expect(agent.getByTestId("typing")).toBeInViewport({ ratio: 1 });
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(agent.getByTestId("message").filter({ hasText: "Message 61" })).toBeInViewport({ ratio: 1 });

  // Scrolled to the top of the first page, the agent loads the earlier messages.
  const messages = agent.getByTestId("messages");
  await messages.evaluate((element) => (element.scrollTop = 0));
  const firstLoaded = await agent.locator("[data-testid=messages] [data-seq]").first().getAttribute("data-seq");
  expect(Number(firstLoaded)).toBeGreaterThan(1);
  await agent.getByRole("button", { name: "Load earlier messages" }).click();
  await expect(agent.locator('[data-testid=messages] [data-seq="1"]')).toHaveCount(1);
  // The place is kept: what was at the top is still in view, the oldest is not.
  await expect(agent.locator(`[data-testid=messages] [data-seq="${firstLoaded}"]`)).toBeInViewport();
  await expect(agent.locator('[data-testid=messages] [data-seq="1"]')).not.toBeInViewport();

  await visitorContext.close();
  await agentContext.close();
});
