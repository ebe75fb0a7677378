// Steps the specs share, and the fixture that gives every test a server of its own.
// Screenshots go to end2end/screenshots (kept across shards), or to docs/screenshots with
// UPDATE_SCREENSHOTS=1.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type FrameLocator, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export { expect };
export const ADMIN_EMAIL = "ana@example.com";
export const ADMIN_PASSWORD = "e2e-password-123";
export const shots = process.env.UPDATE_SCREENSHOTS ? "../docs/screenshots" : "screenshots";

/** The release binary, started as the README deploys it: alone, in an empty folder. */
const binary = resolve(process.env.SWITCHBOARD_BIN ?? "../target/release/switchboard");

/** A port nobody listens on now (the server binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** One Switchboard: its own port, folder and SQLite file, so no test sees another's data. */
class Server {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
    private readonly folder: string,
  ) {}

  static async start(env: Record<string, string>): Promise<Server> {
    // A port taken between the probe and the bind is retried with another.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const folder = mkdtempSync(join(tmpdir(), "sb-e2e-"));
      const url = `http://127.0.0.1:${port}`;
      const child = spawn(binary, [], {
        cwd: folder,
        stdio: ["ignore", "ignore", "pipe"],
        env: {
          ...process.env,
          SWITCHBOARD_ADDRESS: `127.0.0.1:${port}`,
          SWITCHBOARD_PUBLIC_URL: url,
          SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
          SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
          // Every visitor here comes from one address (loopback): more conversations and
          // messages than a public server allows one address. The limits themselves are tested
          // in tests/api/attacks/; a spec that tests one in the browser sets its own.
          SWITCHBOARD_LIMITS: "conversations_per_hour=1000,visitor_messages_per_minute=600,ip_messages_per_minute=6000",
          RUST_LOG: "warn",
          ...env,
        },
      });
      let log = "";
      child.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
      const server = new Server(url, child, folder);
      if (await server.ready()) return server;
      await server.stop();
      if (!log.includes("Address already in use")) throw new Error(`the server did not start:\n${log}`);
    }
    throw new Error("no free port for the server");
  }

  private async ready(): Promise<boolean> {
    for (let i = 0; i < 300; i++) {
      if (this.process.exitCode !== null) return false;
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return true;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async stop() {
    if (this.process.exitCode === null) {
      const exited = new Promise((r) => this.process.once("exit", r));
      this.process.kill("SIGTERM");
      const late = setTimeout(() => this.process.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(late);
    }
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/**
 * `test` with a fresh server per test: `baseURL` (and so `page.goto("/…")`, `request` and
 * every `browser.newContext()`) points at it. A spec that needs other settings says
 * `test.use({ serverEnv: { SWITCHBOARD_…: "…" } })`.
 */
export const test = base.extend<{ serverEnv: Record<string, string>; server: Server }>({
  serverEnv: [{}, { option: true }],
  server: async ({ serverEnv }, use) => {
    const server = await Server.start(serverEnv);
    await use(server);
    await server.stop();
  },
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
});

/**
 * Waits until the WASM has hydrated the page. The widget hydrates at its first use (a pointer,
 * a key, a focus: src/widget/wake.rs); a pointer press on the page stands for the visitor's.
 */
export async function hydrated(page: Page) {
  await page.locator("body").dispatchEvent("pointerdown");
  await page.locator("body[data-hydrated]").waitFor();
}

/** The same for the widget in the embed's frame. */
export async function frameHydrated(frame: FrameLocator) {
  await frame.locator("body").dispatchEvent("pointerdown");
  await frame.locator("body[data-hydrated]").waitFor();
}

/** Opens the dashboard, is sent to sign in, signs in and lands on the inbox. */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  await page.goto("/agent");
  await expect(page).toHaveURL(/\/agent\/login$/);
  await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/agent$/);
  await hydrated(page);
}

/** axe-core finds no WCAG 2 A/AA violation on the page as it is now. */
export async function accessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  if (process.env.AXE_SOFT) {
    if (found.length) console.log(`AXE ${what}: ${found.join(" | ")}`);
    return;
  }
  expect(found, `axe violations on ${what}`).toEqual([]);
}

/** A visitor opens the widget page and starts a chat under `name` with `text`. */
export async function startChat(page: Page, name: string, text: string) {
  await page.goto("/widget");
  await hydrated(page);
  await page.getByTestId("start-name").fill(name);
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("composer-input").press("Enter");
  await expect(page.getByTestId("message").first()).toContainText(text);
}

/** An admin (signed in on `admin`) invites `email` as an agent, who joins on `page`. */
export async function joinAsAgent(admin: Page, page: Page, email: string, name: string, password: string) {
  const link: string = await admin.evaluate(async (email) => {
    const response = await fetch("/api/create_invite", {
      method: "POST",
      headers: { Accept: "application/json" },
      body: new URLSearchParams({ email, role: "agent" }),
    });
    return (await response.json()).link;
  }, email);
  const invite = new URL(link);
  await page.goto(invite.pathname + invite.search);
  await hydrated(page);
  await page.getByTestId("invite-name").fill(name);
  await page.getByTestId("invite-password").fill(password);
  await page.getByRole("button", { name: "Join and sign in" }).click();
  await expect(page).toHaveURL(/\/agent$/);
  await hydrated(page);
}
