import { expect, test, accessible, shots, signIn, startChat } from "./helpers";

// Snooze: an agent snoozes a conversation until the visitor writes again; it leaves the open
// view for the Snoozed one, and comes back by itself, live, when the visitor writes.
test("a snoozed conversation leaves the open view and comes back when the visitor writes", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 700 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await startChat(visitor, "Olga Berg", "Could you check back after my meeting?");

  await signIn(agent);
  const olga = agent.getByTestId("conversation-item").filter({ hasText: "Olga Berg" });
  await expect(olga).toBeVisible();
  await olga.click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Olga Berg");

  await agent.getByTestId("snooze").click();
  await expect(agent.getByTestId("snooze-option")).toHaveCount(5);
  await accessible(agent, "the snooze menu");
  await agent.screenshot({ path: `${shots}/snooze-menu.png` });
  await agent.getByRole("menuitem", { name: "Until they reply" }).click();
  await expect(agent.getByTestId("snoozed-until")).toHaveText("Snoozed until they reply");
  // Out of the open view (the default), into the snoozed one.
  await expect(olga).toHaveCount(0);
  await agent.getByTestId("filter-snoozed").click();
  await expect(olga).toBeVisible();
  await expect(olga).toContainText("Snoozed");
  await agent.screenshot({ path: `${shots}/snooze-list.png` });
  // The visitor is not told.
  await expect(visitor.locator("body")).not.toContainText("Snoozed");

  // The visitor writes: it wakes, live.
  await agent.getByTestId("filter-open").click();
  await expect(olga).toHaveCount(0);
  await visitor.getByTestId("composer-input").fill("I'm back now");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(olga).toBeVisible();
  await expect(agent.getByTestId("snoozed-until")).toHaveCount(0);
  await expect(agent.getByTestId("snooze")).toBeVisible();

  await visitorContext.close();
  await agentContext.close();
});
