import { expect, test, accessible, shots, signIn, startChat } from "./helpers";

// Search: the agent finds a conversation by a word of the visitor's first message (another
// form of it: stemming), sees the word marked, and opens it; Escape brings the list back.
test("an agent finds a conversation by a word of its first message", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 700 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await startChat(visitor, "Ines Costa", "My espresso machine leaks water everywhere");

  await signIn(agent);
  const box = agent.getByTestId("search-input");
  await box.fill("leaking espresso");
  await box.press("Enter");
  const hit = agent.getByTestId("search-hit");
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText("Ines Costa");
  await expect(hit.locator("mark")).toHaveText(["espresso", "leaks"]);
  await accessible(agent, "search results");
  await agent.screenshot({ path: `${shots}/search-results.png` });

  // Nothing found says so; a search of only symbols is refused with a message.
  await box.fill("zeppelin");
  await box.press("Enter");
  await expect(agent.getByText("Nothing found")).toBeVisible();
  await box.fill("*** ---");
  await box.press("Enter");
  await expect(agent.getByTestId("search-error")).toContainText("Type a word");

  await box.fill("espresso");
  await box.press("Enter");
  await hit.click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Ines Costa");
  await box.press("Escape");
  await expect(agent.getByTestId("conversation-list")).toBeVisible();

  await visitorContext.close();
  await agentContext.close();
});
