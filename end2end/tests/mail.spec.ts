import { type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, accessible, freePort, hydrated, shots } from "./helpers";

// E-mail as people meet it: a server that sends through a real SMTP server on loopback
// (aiosmtpd, from scripts/install-test-tools.sh). The visitor asks for the transcript by
// e-mail; after they leave, the agent's reply reaches them by e-mail, and its link reopens the
// chat in a browser that has never seen it; admins see what went out at /agent/mail.
let maildir = "";

const mailTest = test.extend<{ smtpPort: number }>({
  // Each test's own SMTP server and mailbox.
  smtpPort: async ({}, use) => {
    const port = await freePort();
    maildir = join(mkdtempSync(join(tmpdir(), "sb-mail-")), "maildir");
    const smtp: ChildProcess = spawn(
      "python3",
      ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir],
      { stdio: "ignore" },
    );
    await use(port);
    smtp.kill();
  },
  serverEnv: async ({ smtpPort }, use) => {
    await use({
      SWITCHBOARD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SWITCHBOARD_MAIL_FROM: "Acme Support <help@acme.example>",
      SWITCHBOARD_MAIL_BATCH_SECS: "2",
    });
  },
});

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Quoted-printable undone (lettre sends text that way): soft breaks and `=XX` bytes. */
function unquote(text: string): string {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i]));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Every received e-mail's text, decoded. */
function received(): string[] {
  const dir = join(maildir, "new");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((file) => unquote(readFileSync(join(dir, file), "utf8")));
}

async function signInAt(page: Page) {
  await page.goto("/agent/login");
  await hydrated(page);
  await page.getByLabel("E-mail").fill("ana@example.com");
  await page.getByLabel("Password").fill("e2e-password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/agent$/);
  await hydrated(page);
}

mailTest("the transcript and a reply reach the visitor by e-mail, and the link reopens the chat", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const t0 = Date.now();
  const mark = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 720 } });
  const visitor = await visitorContext.newPage();
  await visitor.goto("/widget");
  await hydrated(visitor);
  await visitor.getByTestId("start-name").fill("Rosa Díaz");
  await visitor.getByTestId("start-email").fill("rosa@example.com");
  await visitor.getByTestId("composer-input").fill("Where is my order 4471?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message").first()).toContainText("order 4471");

  // The transcript, asked for from the widget: a bad address is refused where she typed it.
  const form = visitor.getByTestId("email-transcript");
  await form.locator("summary").click();
  const address = visitor.locator("#transcript-email");
  await expect(address).toHaveValue("rosa@example.com");
  // The browser accepts "name@host"; the server asks for a domain with a dot.
  await address.fill("rosa@localhost");
  await form.getByRole("button", { name: "Send" }).click();
  await expect(form.getByRole("alert")).toContainText("e-mail address");
  await address.fill("rosa@example.com");
  await form.getByRole("button", { name: "Send" }).click();
  await expect(visitor.getByTestId("transcript-sent")).toHaveText("On its way to rosa@example.com.");
  await accessible(visitor, "the widget after asking for the transcript");
  await visitor.screenshot({ path: `${shots}/mail-widget-transcript.png` });
  await until(async () => received().some((mail) => mail.includes("Your conversation transcript")), "the transcript");
  const transcript = received().find((mail) => mail.includes("Your conversation transcript"))!;
  expect(transcript).toContain("To: rosa@example.com");
  expect(transcript).toContain("Where is my order 4471?");
  mark("transcript arrived");
  await visitorContext.close();

  // She has gone; the agent answers.
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const agent = await agentContext.newPage();
  await signInAt(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Rosa Díaz" }).click();
  await agent.getByTestId("composer-input").fill("It left our warehouse this morning: tracking AB-991.");
  await agent.getByTestId("composer-input").press("Enter");
  await until(async () => received().some((mail) => mail.includes("replied to your message")), "the reply e-mail");
  const reply = received().find((mail) => mail.includes("replied to your message"))!;
  expect(reply).toContain("tracking AB-991");
  const link = reply.match(/Continue the conversation: (\S+)/)![1];
  expect(link).toMatch(new RegExp(`^${baseURL}/widget\\?inbox=[\\w-]+#sb=[\\w-]{40,}$`));

  mark("reply e-mail arrived");
  // The admins' page shows both as sent.
  await agent.goto("/agent/mail");
  await hydrated(agent);
  await expect(agent.getByTestId("mail-on")).toContainText("help@acme.example");
  await expect(agent.getByTestId("mail-row")).toHaveCount(2);
  await expect(agent.getByTestId("mail-row").filter({ hasText: "Replies" })).toContainText("Sent");
  await expect(agent.getByTestId("mail-row").filter({ hasText: "Transcript" })).toContainText("Sent");
  await accessible(agent, "the admins' e-mail page");
  await agent.screenshot({ path: `${shots}/mail-admin-page.png` });

  mark("admins' page checked");
  // The link, opened in a browser that has never seen the chat, shows it and lets her answer.
  const elsewhere = await browser.newContext({ viewport: { width: 420, height: 720 } });
  const reopened = await elsewhere.newPage();
  await reopened.goto(link);
  await hydrated(reopened);
  await expect(reopened.getByTestId("messages")).toContainText("tracking AB-991");
  await expect(reopened.getByTestId("messages")).toContainText("order 4471");
  await reopened.getByTestId("composer-input").fill("Thank you!");
  await reopened.getByTestId("composer-input").press("Enter");
  await reopened.screenshot({ path: `${shots}/mail-link-reopens-chat.png` });
  await agent.goto("/agent");
  await hydrated(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Rosa Díaz" }).click();
  await expect(agent.getByTestId("messages")).toContainText("Thank you!");
  await elsewhere.close();
  await agentContext.close();
});
