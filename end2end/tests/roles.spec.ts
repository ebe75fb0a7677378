import { expect, test, accessible, hydrated, joinAsAgent, shots, signIn } from "./helpers";

// An agent (not an admin) is offered no control the server would refuse: the rail lists only
// the pages an agent can use, the team page is read-only, and the admins' pages say so
// instead of showing forms. Every rail link is walked, and no request it makes is refused.
const ADMIN_ONLY = [
  "Create invite link",
  "Make admin",
  "Make agent",
  "Deactivate",
  "Reactivate",
  "Revoke",
  "Add inbox",
  "Save inbox",
  "Send again",
];

test("an agent walks every rail link and meets no control the server refuses", async ({ browser }) => {
  const adminContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const admin = await adminContext.newPage();
  const agent = await agentContext.newPage();
  await signIn(admin);
  await joinAsAgent(admin, agent, "lee@example.com", "Lee Agent", "lee-password-456");

  const refused: string[] = [];
  agent.on("response", (response) => {
    if ([401, 403].includes(response.status())) refused.push(`${response.status()} ${response.url()}`);
  });
  const rail = agent.getByRole("navigation", { name: "Dashboard" });
  const links = await rail.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  expect(links).toContain("/agent/team");
  expect(links, "admins' pages are not in an agent's rail").not.toContain("/agent/inboxes");
  expect(links).not.toContain("/agent/mail");

  for (const href of links) {
    await agent.goto(href);
    await hydrated(agent);
    await agent.waitForLoadState("networkidle");
    const controls = await agent
      .locator("main, .workspace")
      .first()
      .locator("button, input[type=submit], a")
      .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e.textContent ?? "").trim()));
    for (const name of ADMIN_ONLY) expect(controls, `${href} offers "${name}"`).not.toContain(name);
  }
  expect(refused).toEqual([]);

  // The team, read-only: names, roles and presence, no invite form and no row actions.
  await agent.goto("/agent/team");
  await hydrated(agent);
  const table = agent.getByTestId("team-table");
  await expect(table).toContainText("Ana");
  await expect(table).toContainText("Lee Agent");
  await expect(table).toContainText("Admin");
  await expect(agent.getByTestId("invite-email")).toHaveCount(0);
  await expect(agent.getByTestId("toggle-active")).toHaveCount(0);
  await accessible(agent, "the team page as an agent");
  await agent.screenshot({ path: `${shots}/team-agent-readonly.png` });

  // An admins' page reached by its address says so, and offers nothing.
  await agent.goto("/agent/inboxes");
  await hydrated(agent);
  await expect(agent.getByTestId("admins-only")).toBeVisible();
  await expect(agent.getByTestId("new-inbox-name")).toHaveCount(0);
  expect(refused).toEqual([]);

  // The old address of the inboxes page leads to the new one.
  await admin.goto("/agent/inbox");
  await expect(admin).toHaveURL(/\/agent\/inboxes$/);
  await adminContext.close();
  await agentContext.close();
});
