import { expect, test, accessible, hydrated, shots, signIn } from "./helpers";

// Saved replies: an admin saves one for the team on /agent/replies (a wrong placeholder is
// refused with a message), then in a conversation types `/`, picks it with the keyboard and
// sends it with the visitor's name filled in.
test("a saved reply is kept, found with / and sent with its placeholders filled", async ({ browser }) => {
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 700 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Priya Raman");
  await visitor.getByTestId("composer-input").fill("How long does a refund take?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/refund take/);

  await signIn(agent);
  await agent.getByTestId("nav-replies").click();
  await expect(agent).toHaveURL(/\/agent\/replies$/);
  await expect(agent.getByRole("heading", { name: "Saved replies" })).toBeVisible();
  await agent.getByTestId("canned-shortcut").fill("refund-time");
  await agent.getByTestId("canned-body").fill("Hi {{visitor.first_name}}, refunds reach you within {{days}} days.");
  await agent.getByTestId("canned-shared").check();
  await agent.getByTestId("canned-save").click();
  await expect(agent.getByTestId("canned-error")).toContainText("Unknown placeholder {{days}}");
  await agent.getByTestId("canned-body").fill("Hi {{visitor.first_name}}, refunds reach you within 5 working days. — {{agent.name}}");
  await agent.getByTestId("canned-save").click();
  await expect(agent.getByTestId("canned-item").filter({ hasText: "/refund-time" })).toContainText("Team");
  await agent.getByTestId("canned-shortcut").fill("hello");
  await agent.getByTestId("canned-body").fill("Hello {{visitor.name}}! How can I help?");
  await agent.getByTestId("canned-save").click();
  await expect(agent.getByTestId("canned-item")).toHaveCount(2);
  await accessible(agent, "the saved replies page");
  await agent.screenshot({ path: `${shots}/canned-settings.png` });

  // In the conversation: `/ref` narrows the list, Enter inserts the filled text.
  await agent.goto("/agent");
  await hydrated(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Priya Raman" }).click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Priya Raman");
  const composer = agent.getByTestId("composer-input");
  await composer.click();
  await composer.pressSequentially("/");
  await expect(agent.getByTestId("reply-option")).toHaveCount(2);
  await composer.pressSequentially("ref");
  await expect(agent.getByTestId("reply-option")).toHaveCount(1);
  await expect(agent.getByTestId("reply-option").first()).toHaveAttribute("aria-selected", "true");
  await accessible(agent, "the thread with the reply picker open");
  await agent.screenshot({ path: `${shots}/canned-picker.png` });
  await composer.press("Enter");
  await expect(composer).toHaveValue("Hi Priya, refunds reach you within 5 working days. — Ana");
  await expect(agent.getByTestId("reply-picker")).toHaveCount(0);
  await composer.press("Enter");
  await expect(visitor.getByTestId("messages")).toContainText("Hi Priya, refunds reach you within 5 working days.");

  // Arrows choose, Esc closes and leaves the text as typed.
  await composer.pressSequentially("/");
  await expect(agent.getByTestId("reply-option")).toHaveCount(2);
  await composer.press("ArrowDown");
  await expect(agent.getByTestId("reply-option").nth(1)).toHaveAttribute("aria-selected", "true");
  await composer.press("Escape");
  await expect(agent.getByTestId("reply-picker")).toHaveCount(0);
  await expect(composer).toHaveValue("/");

  await visitorContext.close();
  await agentContext.close();
});
