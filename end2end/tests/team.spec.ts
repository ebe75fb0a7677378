import * as fs from "node:fs";
import { expect, test, ADMIN_EMAIL, accessible, frameHydrated, hydrated, shots, signIn } from "./helpers";

// Two agents and a visitor in three browser contexts. Runs after the other specs (file
// order), on the same server, so the inbox already holds their conversations.
test("a team: invite, presence, transfer, unread and notifications, then offline mode", async ({ browser }) => {
  // Three people, eight axe-core checks: ~90 s when the suite's other worker shares two cores.
  test.slow();
  fs.mkdirSync(shots, { recursive: true });
  const anaContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const benContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 680 } });
  // Ben allows notifications; each one shown is recorded for the test to read (and click:
  // headless Chromium shows none to click on).
  await benContext.grantPermissions(["notifications"]);
  await benContext.addInitScript(() => {
    const seen: string[] = [];
    const shown: Notification[] = [];
    (window as any).__notifications = seen;
    (window as any).__shown = shown;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        seen.push(title);
        super(title, options);
        shown.push(this);
      }
    }
    (window as any).Notification = Recorded;
  });
  const ana = await anaContext.newPage();
  const ben = await benContext.newPage();
  const visitor = await visitorContext.newPage();

  // The admin signs in and invites Ben.
  await signIn(ana);
  await ana.getByTestId("nav-team").click();
  await expect(ana.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
  await ana.getByTestId("invite-email").fill("ben@example.com");
  await ana.getByRole("button", { name: "Create invite link" }).click();
  const link = await ana.getByTestId("invite-link").inputValue();
  expect(link).toContain("/agent/invite?token=");
  await expect(ana.getByTestId("pending-invite")).toContainText("ben@example.com");

  // Ben accepts and lands signed in.
  const invite = new URL(link);
  await ben.goto(invite.pathname + invite.search);
  await hydrated(ben);
  await expect(ben.getByRole("heading", { name: "Join the team" })).toBeVisible();
  await ben.getByTestId("invite-name").fill("Ben Okafor");
  await ben.getByTestId("invite-password").fill("ben-password-456");
  await ben.getByRole("button", { name: "Join and sign in" }).click();
  await expect(ben).toHaveURL(/\/agent$/);
  await hydrated(ben);
  // The link works once.
  const again = await visitorContext.newPage();
  await again.goto(invite.pathname + invite.search);
  await expect(again.getByRole("heading", { name: "This invite cannot be used" })).toBeVisible();
  await again.close();

  // Both show online on the team page, live.
  await ana.reload();
  await hydrated(ana);
  const benRow = ana.getByTestId("team-member").filter({ hasText: "ben@example.com" });
  await expect(benRow.getByTestId("presence")).toHaveText("Online");
  await expect(ana.getByTestId("team-member").filter({ hasText: ADMIN_EMAIL }).getByTestId("presence")).toHaveText("Online");
  await accessible(ana, "the team page");
  await ana.screenshot({ path: `${shots}/team-page.png` });

  // A visitor writes; Ana takes the chat and hands it to Ben.
  await visitor.goto("/widget");
  await hydrated(visitor);
  await expect(visitor.getByTestId("widget-status")).toHaveText(/We.re online/);
  await visitor.getByTestId("start-name").fill("Lena Berg");
  await visitor.getByTestId("composer-input").fill("Do you ship to Norway?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/Norway/);

  await ana.getByRole("link", { name: "Inbox", exact: true }).click();
  const anaItem = ana.getByTestId("conversation-item").filter({ hasText: "Lena Berg" });
  await anaItem.click();
  await expect(ana.getByTestId("thread-title")).toHaveText("Lena Berg");
  await ana.getByTestId("assign-me").click();
  await expect(ana.getByTestId("assignee")).toContainText("Assigned to Ana");
  await ana.getByTestId("assign-select").selectOption({ label: "Ben Okafor (online)" });
  const handed = "Ana handed this chat to Ben Okafor";
  await expect(ana.getByTestId("system-message").filter({ hasText: handed })).toBeVisible();
  await expect(visitor.getByTestId("system-message").filter({ hasText: handed })).toBeVisible();

  // Ben, looking at his inbox, gets the visitor's next message as unread, in the tab
  // title too, and a notification.
  await visitor.getByTestId("composer-input").fill("Also, is shipping free over 50 €?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(ben).toHaveTitle(/^\(\d+\) Switchboard$/);
  // Ben has read none of the earlier specs' chats either: the title counts those too.
  const unreadInTitle = async () => Number((await ben.title()).match(/^\((\d+)\)/)?.[1] ?? 0);
  const benItem = ben.getByTestId("conversation-item").filter({ hasText: "Lena Berg" });
  await expect(benItem.getByTestId("unread-badge")).toBeVisible();
  await expect.poll(() => ben.evaluate(() => (window as any).__notifications as string[])).toContain("Lena Berg wrote");
  await ben.getByTestId("view-all").click();
  await ben.screenshot({ path: `${shots}/inbox-unread.png` });
  await ben.getByTestId("view-mine").click();
  await expect(benItem).toBeVisible();
  const before = await unreadInTitle();
  const lena = Number(await benItem.getByTestId("unread-badge").textContent());
  expect(lena).toBeGreaterThanOrEqual(1);
  // Clicking the notification opens Lena's conversation in this tab.
  await ben.evaluate(() => {
    const shown = (window as any).__shown as Notification[];
    shown.find((n) => n.title === "Lena Berg wrote")!.dispatchEvent(new Event("click"));
  });
  await expect(ben).toHaveURL(/\/agent\/c\//);
  await expect(ben.getByTestId("thread-title")).toHaveText("Lena Berg");
  await expect(ben.getByTestId("system-message").filter({ hasText: handed })).toBeVisible();
  await expect(benItem.getByTestId("unread-badge")).toHaveCount(0);
  await expect.poll(unreadInTitle).toBe(before - lena);

  // Keyboard: `?` lists the shortcuts, Escape closes them.
  await ben.locator("body").click({ position: { x: 700, y: 300 } });
  await ben.keyboard.press("?");
  await expect(ben.getByTestId("shortcuts")).toBeVisible();
  await accessible(ben, "the inbox with the shortcuts open");
  await ben.keyboard.press("Escape");
  await expect(ben.getByTestId("shortcuts")).toHaveCount(0);

  // Dark theme and his own time zone, by the agent's choice, on a light system in UTC.
  await ben.getByTestId("nav-settings").click();
  await ben.getByTestId("theme-select").selectOption("dark");
  await ben.getByTestId("time-zone").fill("Pacific/Kiritimati");
  await ben.getByRole("button", { name: "Save settings" }).click();
  await expect(ben.getByText("Saved.")).toBeVisible();
  await expect(ben.locator("html")).toHaveAttribute("data-theme", "dark");
  // The server's HTML already carries the theme: no flash of the light one on load.
  const html = await (await ben.request.get("/agent")).text();
  expect(html).toMatch(/<html[^>]*data-theme="dark"/);
  // A zone the browser does not know is refused, and the saved one stays.
  await ben.getByTestId("time-zone").fill("Europe/Atlantis");
  await ben.getByRole("button", { name: "Save settings" }).click();
  await expect(ben.getByRole("alert")).toContainText("time zone");
  await ben.getByRole("link", { name: "Inbox", exact: true }).click();
  await benItem.click();
  // Times show in Kiritimati (UTC+14), whatever the browser's zone.
  const stamp = ben.getByTestId("message").last().locator("time");
  const at = await stamp.getAttribute("datetime");
  const expected = await ben.evaluate(
    (iso) => new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", timeZone: "Pacific/Kiritimati" }).format(new Date(iso!)),
    at,
  );
  await expect(stamp).toHaveText(expected);
  await accessible(ben, "the dark inbox");
  await ben.screenshot({ path: `${shots}/inbox-dark.png` });

  // Both sign out: nobody is online, so the widget offers to reply by e-mail.
  await ana.getByTestId("sign-out").click();
  await expect(ana).toHaveURL(/\/agent\/login$/);
  await ben.getByTestId("sign-out").click();
  await expect(ben).toHaveURL(/\/agent\/login$/);
  await expect(visitor.getByTestId("widget-status")).toHaveText(/We.re away right now/);
  await visitor.getByLabel("Get the reply by e-mail").fill("lena@example.com");
  await visitor.getByRole("button", { name: "Save" }).click();
  await expect(visitor.getByTestId("email-saved")).toContainText("lena@example.com");
  await accessible(visitor, "the widget in offline mode");
  await visitor.screenshot({ path: `${shots}/widget-offline.png` });

  await anaContext.close();
  await benContext.close();
  await visitorContext.close();
});

test("the launcher counts agent replies while the chat is closed", async ({ browser }) => {
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const siteContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const agent = await agentContext.newPage();
  const site = await siteContext.newPage();
  await signIn(agent);

  // A visitor on the customer's page opens the launcher, writes, and closes the chat.
  await site.goto("/");
  const launcher = site.locator('[data-switchboard="launcher"]');
  const badge = site.locator('[data-switchboard="badge"]');
  await launcher.click();
  const widget = site.frameLocator('iframe[data-switchboard="widget"]');
  await frameHydrated(widget);
  await widget.getByTestId("start-name").fill("Iris");
  await widget.getByTestId("composer-input").fill("Hello from the shop page");
  await widget.getByTestId("composer-input").press("Enter");
  await expect(widget.getByTestId("message")).toHaveText(/shop page/);
  await launcher.click();
  await expect(badge).toBeHidden();

  // The agent replies: the closed launcher counts it.
  await agent.getByTestId("conversation-item").filter({ hasText: "Iris" }).click();
  await agent.getByTestId("composer-input").fill("Hi Iris, how can I help?");
  await agent.getByTestId("composer-input").press("Enter");
  await expect(badge).toHaveText("1");
  await expect(launcher).toHaveAttribute("aria-label", "Open chat, 1 unread");
  await site.screenshot({ path: `${shots}/launcher-unread.png` });

  // Opening the chat shows the reply and clears the count.
  await launcher.click();
  await expect(badge).toBeHidden();
  await expect(widget.getByTestId("messages")).toContainText("Hi Iris, how can I help?");
  await agentContext.close();
  await siteContext.close();
});
