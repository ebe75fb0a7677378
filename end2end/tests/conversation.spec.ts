import { type Page } from "@playwright/test";
import * as fs from "node:fs";
import { expect, test, hydrated, shots, signIn } from "./helpers";

test("visitor and agent chat live, both ways, across a reload", async ({ browser }) => {
  fs.mkdirSync(shots, { recursive: true });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 680 } });
  const agent = await agentContext.newPage();
  const visitor = await visitorContext.newPage();

  // The agent signs in and waits on an empty, live inbox.
  await signIn(agent);
  await expect(agent.getByTestId("connection")).toHaveText("Online");
  await expect(agent.getByText("All caught up")).toBeVisible();
  await agent.screenshot({ path: `${shots}/dashboard-empty.png` });

  // A visitor starts a chat from the widget.
  await visitor.goto("/widget");
  await hydrated(visitor);
  await expect(visitor.getByText("Hi there")).toBeVisible();
  await expect(visitor.getByTestId("widget-status")).toHaveText(/We.re online/);
  await visitor.screenshot({ path: `${shots}/widget-start.png` });
  await visitor.getByTestId("start-name").fill("Maya Chen");
  await visitor.getByTestId("start-email").fill("maya@example.com");
  await visitor.getByTestId("composer-input").fill("Hi! My order #1042 has not arrived yet.");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/order #1042/);
  await expect(visitor.getByTestId("widget-status")).toHaveText("We're online. We'll reply here shortly.");
  await expect(visitor.getByTestId("connection")).toHaveText("Online");

  // It appears in the agent's inbox without a refresh.
  const item = agent.getByTestId("conversation-item").filter({ hasText: "Maya Chen" });
  await expect(item).toBeVisible();
  await expect(item).toContainText("order #1042");
  await item.click();
  await expect(agent).toHaveURL(/\/agent\/c\//);
  await expect(agent.getByTestId("thread-title")).toHaveText("Maya Chen");
  await expect(agent.getByTestId("messages")).toContainText("order #1042");

  // The agent replies; the visitor sees the agent typing, then the reply, live.
  await agent.getByTestId("composer-input").pressSequentially("Hi Maya, I'm Ana.");
  await expect(visitor.getByTestId("typing")).toHaveText(/Ana is typing/);
  await agent.getByTestId("composer-input").fill("Hi Maya, I'm Ana. Let me check that for you.");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(agent.getByTestId("composer-input")).toHaveValue("");
  await expect(visitor.getByTestId("messages")).toContainText("Let me check that for you.");
  await expect(visitor.getByTestId("system-message").filter({ hasText: "Ana joined the chat" })).toBeVisible();
  await expect(visitor.getByTestId("widget-status")).toHaveText("Ana is helping you");
  await expect(visitor.getByTestId("typing")).toHaveCount(0);
  // And the other way round.
  await visitor.getByTestId("composer-input").pressSequentially("Thanks");
  await expect(agent.getByTestId("typing")).toHaveText(/Maya Chen is typing/);
  await agent.screenshot({ path: `${shots}/dashboard-typing.png` });
  await visitor.getByTestId("composer-input").fill("");

  // The visitor's next message reaches the open conversation live; markup stays text.
  const tricky = "<img src=x onerror=alert(1)> <b>thanks</b>";
  await visitor.getByTestId("composer-input").fill(tricky);
  await visitor.getByTestId("send").click();
  await expect(agent.getByTestId("message").last()).toContainText(tricky);
  await expect(agent.locator(".bubble-body img")).toHaveCount(0);
  await expect(agent.getByTestId("conversation-item").first()).toContainText("Maya Chen");

  // Empty and over-long messages get a clear error and nothing is sent.
  await agent.getByTestId("composer-input").fill("   ");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(agent.getByTestId("composer-error")).toHaveText("Type a message first.");
  await agent.getByTestId("composer-input").fill("x".repeat(4001));
  await agent.getByTestId("send").click();
  await expect(agent.getByTestId("composer-error")).toContainText("limit is 4000");
  await agent.getByTestId("composer-input").fill("Found it: it ships today. Anything else?");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("messages")).toContainText("it ships today");
  await visitor.screenshot({ path: `${shots}/widget-chat.png` });
  await agent.screenshot({ path: `${shots}/dashboard-conversation.png` });

  // Resolving writes a notice both sides see live.
  await agent.getByTestId("toggle-status").click();
  await expect(agent.getByTestId("toggle-status")).toHaveText("Reopen");
  await expect(visitor.getByTestId("system-message").filter({ hasText: "Conversation resolved by Ana" })).toBeVisible();
  await expect(visitor.getByTestId("widget-status")).toHaveText(/resolved/);

  // A reload keeps the whole conversation.
  const before = await visitor.getByTestId("message").count();
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.getByTestId("message")).toHaveCount(before);
  await expect(visitor.getByTestId("messages")).toContainText("order #1042");

  // Writing again reopens it, live on the agent's side.
  await visitor.getByTestId("composer-input").fill("One more question, actually.");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(agent.getByTestId("system-message").filter({ hasText: "Conversation reopened" })).toBeVisible();
  await expect(agent.getByTestId("messages")).toContainText("One more question");
  await expect(agent.getByTestId("toggle-status")).toHaveText("Resolve");

  await agentContext.close();
  await visitorContext.close();
});

test("a second conversation appears live at the top of the inbox", async ({ browser }) => {
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const agent = await agentContext.newPage();
  await signIn(agent);
  await expect(agent.getByTestId("connection")).toHaveText("Online");

  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Omar Haddad");
  await visitor.getByTestId("composer-input").fill("Do you ship to Canada?");
  await visitor.getByTestId("composer-input").press("Enter");

  await expect(agent.getByTestId("conversation-item").first()).toContainText("Omar Haddad");
  await expect(agent.getByTestId("conversation-item").first()).toContainText("ship to Canada");
  await agent.screenshot({ path: `${shots}/dashboard-inbox.png` });

  // The embed on the demo host page opens the widget in an iframe (from another site, so
  // this visitor's /widget chat is not there: embed.spec.ts follows a chat in the frame).
  const host = await visitorContext.newPage();
  await host.goto("/");
  await host.locator("[data-switchboard=launcher]").click();
  const frame = host.frameLocator("iframe[data-switchboard=widget]");
  await expect(frame.getByRole("heading", { name: "Hi there!" })).toBeVisible();
  await host.screenshot({ path: `${shots}/embed.png` });

  await agentContext.close();
  await visitorContext.close();
});
