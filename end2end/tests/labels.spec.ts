import { expect, test, accessible, hydrated, shots, signIn, startChat } from "./helpers";

// Labels: an admin defines them on /agent/labels (a duplicate name is refused with a message);
// an agent puts one on a conversation from its side panel, another tab sees the chip live, the
// inbox filters by it, and the visitor's page never shows it.
test("labels are defined, put on a conversation live, filtered by, and hidden from the visitor", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 700 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await startChat(visitor, "Marta Ruiz", "My invoice shows the wrong amount");

  await signIn(agent);
  await agent.getByTestId("nav-labels").click();
  await expect(agent).toHaveURL(/\/agent\/labels$/);
  await expect(agent.getByRole("heading", { name: "Labels" })).toBeVisible();
  await agent.getByTestId("label-name").fill("Billing");
  await agent.getByTestId("label-save").click();
  await expect(agent.getByTestId("label-item")).toHaveCount(1);
  await agent.getByTestId("label-name").fill("billing");
  await agent.getByTestId("label-save").click();
  await expect(agent.getByTestId("label-error")).toContainText("already a label with that name");
  await agent.getByTestId("label-name").fill("Urgent");
  await agent.getByRole("radio", { name: "#dc2626" }).check();
  await agent.getByTestId("label-save").click();
  await expect(agent.getByTestId("label-item")).toHaveCount(2);
  await accessible(agent, "the labels page");
  await agent.screenshot({ path: `${shots}/labels-settings.png` });

  // A second tab of the team watches the list.
  const teammate = await agentContext.newPage();
  await teammate.goto("/agent");
  await hydrated(teammate);
  await teammate.getByTestId("view-all").click();
  const martaThere = teammate.getByTestId("conversation-item").filter({ hasText: "Marta Ruiz" });
  await expect(martaThere).toBeVisible();

  await agent.goto("/agent");
  await hydrated(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Marta Ruiz" }).click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Marta Ruiz");
  await agent.getByTestId("add-label").selectOption({ label: "Billing" });
  await expect(agent.getByTestId("conversation-labels").getByTestId("label-chip")).toHaveText(["Billing×"]);
  await agent.getByTestId("add-label").selectOption({ label: "Urgent" });
  await expect(agent.getByTestId("conversation-labels").getByTestId("label-chip")).toHaveCount(2);
  // Live in the other tab, without a reload.
  await expect(martaThere.getByTestId("label-chip")).toHaveText(["Billing", "Urgent"]);
  await accessible(agent, "the thread with labels");
  await agent.screenshot({ path: `${shots}/labels-thread.png` });

  // The inbox filtered by a label shows only what carries it.
  await teammate.getByTestId("label-filter").selectOption({ label: "Urgent" });
  await expect(teammate.getByTestId("conversation-item")).toHaveCount(1);
  await expect(teammate.getByTestId("conversation-item")).toContainText("Marta Ruiz");
  await teammate.screenshot({ path: `${shots}/labels-filter.png` });

  // Taken off with its × button (a labelled button, reachable by keyboard).
  await agent.getByRole("button", { name: "Remove the label Urgent" }).click();
  await expect(agent.getByTestId("conversation-labels").getByTestId("label-chip")).toHaveCount(1);
  await expect(teammate.getByTestId("conversation-item")).toHaveCount(0);

  // The visitor's page never names them.
  await agent.getByTestId("composer-input").fill("I have corrected the invoice.");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("messages")).toContainText("corrected the invoice");
  await expect(visitor.locator("body")).not.toContainText("Billing");
  await expect(visitor.getByTestId("label-chip")).toHaveCount(0);

  await visitorContext.close();
  await agentContext.close();
});
