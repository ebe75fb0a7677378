import { expect, test, accessible, hydrated, shots, signIn } from "./helpers";

// CSAT: the agent resolves, the widget asks how it went; the visitor picks a face and
// comments; the agent sees the score live in the thread and the list.
test("a resolved conversation asks the visitor for a rating, once", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 720 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Rosa Lind");
  await visitor.getByTestId("composer-input").fill("Can I change my delivery address?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/delivery address/);
  await expect(visitor.getByTestId("rating-card")).toHaveCount(0);

  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Rosa Lind" }).click();
  await agent.getByTestId("composer-input").fill("Done, it now goes to your office.");
  await agent.getByTestId("composer-input").press("Enter");
  await agent.getByTestId("toggle-status").click();
  await expect(agent.getByTestId("toggle-status")).toHaveText("Reopen");

  const card = visitor.getByTestId("rating-card");
  await expect(card).toBeVisible();
  await expect(card).toContainText("How did we do?");
  await card.locator("label.rating-face").filter({ hasText: "Great" }).click();
  await visitor.getByTestId("rating-comment").fill("Fast and friendly, thank you!");
  await accessible(visitor, "the widget asking for a rating");
  await visitor.screenshot({ path: `${shots}/csat-widget.png` });
  await visitor.getByTestId("rating-send").click();
  await expect(visitor.getByTestId("rating-thanks")).toBeVisible();
  await expect(card).toHaveCount(0);

  await expect(agent.getByTestId("system-message").filter({ hasText: "rated the conversation 5/5" })).toBeVisible();
  await expect(agent.locator(".thread-header").getByTestId("rating-badge")).toContainText("5");
  await agent.getByTestId("filter-resolved").click();
  await expect(agent.getByTestId("conversation-item").filter({ hasText: "Rosa Lind" }).getByTestId("rating-badge")).toContainText("5");
  await agent.screenshot({ path: `${shots}/csat-dashboard.png` });

  // After a reload the question is not asked again for the same resolution.
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.getByTestId("messages")).toContainText("rated the conversation 5/5");
  await expect(visitor.getByTestId("rating-card")).toHaveCount(0);

  await visitorContext.close();
  await agentContext.close();
});
