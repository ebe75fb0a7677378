import { readFileSync } from "node:fs";
import { expect, test, accessible, hydrated, shots, signIn } from "./helpers";

// Internal notes: an agent switches the composer to "Note" (button or `n`), writes for the
// team; every agent tab sees it live and set apart, the visitor never sees it, live or after
// a reload, and the reply mode comes back with `c`.
test("an internal note reaches the team live and never the visitor", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 700 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();
  const secondTab = await agentContext.newPage();

  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Nadia Okafor");
  await visitor.getByTestId("composer-input").fill("Can I still return the blue jacket?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/blue jacket/);

  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Nadia Okafor" }).click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Nadia Okafor");
  await secondTab.goto(agent.url());
  await hydrated(secondTab);
  await expect(secondTab.getByTestId("thread-title")).toHaveText("Nadia Okafor");

  // The `n` shortcut (outside a field) picks notes and puts the keyboard in the composer.
  await agent.getByTestId("thread-title").click();
  await agent.keyboard.press("n");
  await expect(agent.getByTestId("mode-note")).toHaveAttribute("aria-pressed", "true");
  await expect(agent.getByTestId("note-hint")).toBeVisible();
  await expect(agent.getByTestId("composer-input")).toBeFocused();
  await expect(agent.getByTestId("composer-input")).toHaveAttribute("placeholder", /never sees it/);
  await agent.keyboard.type("Outside the 30 days, but she is a regular: approve the return.");
  await agent.keyboard.press("Enter");
  const note = agent.getByTestId("note").filter({ hasText: "approve the return" });
  await expect(note).toBeVisible();
  await expect(note).toContainText("Note · Ana");
  await expect(secondTab.getByTestId("note").filter({ hasText: "approve the return" })).toBeVisible();
  // A note does not take the conversation or change its status.
  await expect(agent.getByTestId("assignee")).toHaveText(/Unassigned/);
  await accessible(agent, "the thread with a note, in note mode");
  await agent.screenshot({ path: `${shots}/notes-thread.png` });

  // Back to replies with the button; the reply reaches the visitor, the note does not.
  await agent.getByTestId("mode-reply").click();
  await expect(agent.getByTestId("mode-reply")).toHaveAttribute("aria-pressed", "true");
  await agent.getByTestId("composer-input").fill("Yes, you can! I'll send you a return label.");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("messages")).toContainText("return label");
  await expect(visitor.getByTestId("messages")).not.toContainText("approve the return");
  await expect(visitor.getByTestId("note")).toHaveCount(0);
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.getByTestId("messages")).toContainText("return label");
  await expect(visitor.getByTestId("messages")).not.toContainText("approve the return");
  expect(await visitor.content()).not.toContain("approve the return");
  await visitor.screenshot({ path: `${shots}/notes-widget-never-sees.png` });

  // The note stays in the agent's thread after a reload, between the messages.
  await agent.reload();
  await hydrated(agent);
  await expect(agent.getByTestId("note").filter({ hasText: "approve the return" })).toBeVisible();
  // `c` goes back to replies from anywhere outside a field.
  await agent.getByTestId("thread-title").click();
  await agent.keyboard.press("n");
  await expect(agent.getByTestId("mode-note")).toHaveAttribute("aria-pressed", "true");
  await agent.getByTestId("thread-title").click();
  await agent.keyboard.press("c");
  await expect(agent.getByTestId("mode-reply")).toHaveAttribute("aria-pressed", "true");

  // The transcript, downloaded from the thread: notes only when asked for.
  await agent.getByTestId("transcript-menu").click();
  const [plain] = await Promise.all([agent.waitForEvent("download"), agent.getByTestId("transcript-txt").click()]);
  const text = readFileSync(await plain.path(), "utf8");
  expect(text).toContain("Conversation with Nadia Okafor");
  expect(text).toContain("return label");
  expect(text).not.toContain("approve the return");
  await agent.getByTestId("transcript-notes").check();
  await accessible(agent, "the transcript menu");
  await agent.screenshot({ path: `${shots}/transcript-menu.png` });
  const [page] = await Promise.all([agent.waitForEvent("download"), agent.getByTestId("transcript-html").click()]);
  expect(page.suggestedFilename()).toMatch(/^transcript-.*\.html$/);
  const html = readFileSync(await page.path(), "utf8");
  expect(html).toContain("approve the return");
  expect(html).toContain("Note by Ana");

  await visitorContext.close();
  await agentContext.close();
});

// `@name` in a note: the named teammate, elsewhere in the dashboard, gets a toast that opens
// the conversation at the note.
test("naming a teammate in a note alerts them live", async ({ browser }) => {
  const anaContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const miaContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 700 } });
  const ana = await anaContext.newPage();
  const mia = await miaContext.newPage();
  const visitor = await visitorContext.newPage();
  await signIn(ana);
  const link: string = await ana.evaluate(async () => {
    const response = await fetch("/api/create_invite", {
      method: "POST",
      headers: { Accept: "application/json" },
      body: new URLSearchParams({ email: "mia@example.com", role: "agent" }),
    });
    return (await response.json()).link;
  });
  const invite = new URL(link);
  await mia.goto(invite.pathname + invite.search);
  await hydrated(mia);
  await mia.getByTestId("invite-name").fill("Mia Park");
  await mia.getByTestId("invite-password").fill("mia-password-789");
  await mia.getByRole("button", { name: "Join and sign in" }).click();
  await expect(mia).toHaveURL(/\/agent$/);
  await hydrated(mia);
  await expect(mia.getByTestId("connection")).toHaveText("Online");

  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Oscar Diaz");
  await visitor.getByTestId("composer-input").fill("My kettle stopped working after a week.");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/kettle/);

  await ana.getByTestId("view-all").click();
  await ana.getByTestId("conversation-item").filter({ hasText: "Oscar Diaz" }).click();
  await expect(ana.getByTestId("thread-title")).toHaveText("Oscar Diaz");
  await ana.getByTestId("mode-note").click();
  await ana.getByTestId("composer-input").fill("@mia can you check the warranty on this one?");
  await ana.getByTestId("composer-input").press("Enter");
  await expect(ana.getByTestId("note").filter({ hasText: "warranty" })).toBeVisible();

  const toast = mia.getByTestId("mention-toast");
  await expect(toast).toContainText("Ana mentioned you");
  await expect(toast).toContainText("check the warranty");
  await accessible(mia, "the dashboard with a mention");
  await mia.screenshot({ path: `${shots}/notes-mention-toast.png` });
  await mia.getByTestId("mention-open").click();
  await expect(mia.getByTestId("thread-title")).toHaveText("Oscar Diaz");
  await expect(mia.getByTestId("note").filter({ hasText: "warranty" })).toBeVisible();
  await expect(toast).toHaveCount(0);
  // The visitor never hears of it.
  await expect(visitor.getByTestId("messages")).not.toContainText("warranty");

  await anaContext.close();
  await miaContext.close();
  await visitorContext.close();
});
