// Weighs what browsers download (headless Debian Chromium): a host page view with the chat
// closed, what opening the widget adds, and the dashboard's first load (then what opening a
// conversation and a settings page add). Prints bytes on the wire
// (compressed) per resource, then each figure against two numbers:
//   ceiling  what it weighs today plus a little: exceeding it fails the suite, so nothing grows
//            by accident (the widget grew 32 KB in two features before this existed);
//   target   the budget of issue 28 (widget first open 150 KB, aim 120; dashboard 450 KB).
//            A missed target is printed, not failed, until it is met; then its ceiling moves to it.
// The widget's code is split (scripts/build-site.sh): the first open fetches the lean bundle's
// main module only, which waits for the visitor's first use (src/widget/wake.rs); the first use
// (a focus) fetches the widget's chunk and hydrates; sending the first message fetches the
// chat's chunk. Each step is weighed apart, and fetching a chunk at the wrong step fails.
// Usage: node size.mjs http://localhost:PORT/  (the demo page, embedding from the other loopback
// name). Exits 1 when a ceiling is exceeded.
import { chromium } from "@playwright/test";

const hostPage = process.argv[2];
const KB = 1024;
const FIGURES = {
  launcher: { ceiling: 5 * KB, target: 5 * KB },
  widget: { ceiling: 80 * KB, target: 150 * KB },
  firstUse: { ceiling: 215 * KB, target: Infinity },
  chat: { ceiling: 150 * KB, target: Infinity },
  dashboard: { ceiling: 420 * KB, target: 450 * KB },
  conversation: { ceiling: 160 * KB, target: Infinity },
  settings: { ceiling: 120 * KB, target: Infinity },
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
// Records every finished request of a fresh page, except those to `skipHost`, as bytes on the
// wire (body and headers) into `into`.
async function recordingPage(into, skipHost, storageState) {
  const page = await (await browser.newContext({ storageState })).newPage();
  page.on("requestfinished", async (request) => {
    const url = new URL(request.url());
    if (url.host === skipHost) return;
    const sizes = await request.sizes().catch(() => null);
    const response = await request.response();
    into.push({
      path: url.pathname,
      bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0,
      body: sizes ? sizes.responseBodySize : 0,
      encoding: response?.headers()["content-encoding"] ?? "-",
    });
  });
  return page;
}
// The host page's own requests are the customer's, not Switchboard's: skipped.
const seen = [];
const page = await recordingPage(seen, new URL(hostPage).host);
await page.goto(hostPage);
await page.locator('[data-switchboard="launcher"]').waitFor();
await page.waitForTimeout(1500);
const closed = seen.splice(0);
await page.locator('[data-switchboard="launcher"]').click();
const widget = page.frameLocator('iframe[data-switchboard="widget"]');
await widget.getByTestId("composer-input").waitFor();
await page.waitForTimeout(1500);
const opened = seen.splice(0);
// The first use: the visitor focuses the name field; the widget's chunk hydrates the page.
await widget.getByTestId("start-name").focus();
await widget.locator("body[data-hydrated]").waitFor();
await page.waitForTimeout(1500);
const used = seen.splice(0);
// The first message: the chat's chunk arrives while it is typed.
await widget.getByTestId("composer-input").fill("Hello, weighing the chat");
await widget.getByTestId("composer-input").press("Enter");
await widget.getByTestId("message").first().waitFor();
await page.waitForTimeout(1500);
const chatting = seen.splice(0);
// The dashboard's first load: /agent signed in, in a fresh context (nothing cached) holding
// only the session cookie. Its pages beyond the inbox are chunks (src/app/pages.rs): opening a
// conversation (the widget's, above) and a settings page are weighed apart.
const signInPage = await (await browser.newContext()).newPage();
await signInPage.goto(new URL("/agent/login", hostPage).href);
await signInPage.locator("body").dispatchEvent("pointerdown");
await signInPage.locator("body[data-hydrated]").waitFor();
await signInPage.getByLabel("E-mail").fill("ana@example.com");
await signInPage.getByLabel("Password").fill("e2e-password-123");
await signInPage.getByRole("button", { name: "Sign in" }).click();
await signInPage.waitForURL(/\/agent$/);
const signedIn = await signInPage.context().storageState();
const dashboard = [];
const dashboardPage = await recordingPage(dashboard, null, signedIn);
await dashboardPage.goto(new URL("/agent", hostPage).href);
await dashboardPage.locator("body[data-hydrated]").waitFor();
await dashboardPage.getByTestId("conversation-item").first().waitFor();
await dashboardPage.waitForTimeout(1500);
const dashboardFirst = dashboard.splice(0);
await dashboardPage.getByTestId("conversation-item").first().click();
await dashboardPage.getByTestId("message").first().waitFor();
await dashboardPage.waitForTimeout(1500);
const conversationOpened = dashboard.splice(0);
await dashboardPage.locator('a[href="/agent/team"]').first().click();
await dashboardPage.waitForURL(/\/agent\/team$/);
await dashboardPage.locator("#team-title").waitFor();
await dashboardPage.waitForTimeout(1500);
const settingsOpened = dashboard.splice(0);
await browser.close();

const kb = (n) => (n / 1024).toFixed(1).padStart(8);
function table(title, rows) {
  console.log(`\n${title}`);
  console.log(`${"resource".padEnd(44)} ${"encoding".padEnd(9)} ${"body KB".padStart(8)} ${"+hdrs KB".padStart(8)}`);
  for (const r of rows) console.log(`${r.path.slice(0, 44).padEnd(44)} ${r.encoding.padEnd(9)} ${kb(r.body)} ${kb(r.bytes)}`);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`${"total".padEnd(54)} ${kb(rows.reduce((s, r) => s + r.body, 0))} ${kb(total)}`);
  return total;
}
const closedTotal = table("Host page view, chat closed (from Switchboard):", closed);
const openedTotal = table("Opening the widget adds:", opened);
const widgetTotal = closedTotal + openedTotal;
const usedTotal = table("The first use (a focus) adds:", used);
const chatTotal = table("Sending the first message adds:", chatting);
const dashboardTotal = table("Dashboard first load (/agent, signed in, nothing cached):", dashboardFirst);
const conversationTotal = table("Opening the first conversation adds:", conversationOpened);
const settingsTotal = table("Opening a settings page (team) adds:", settingsOpened);
let failed = false;
function check(what, value, { ceiling, target }) {
  const grown = value > ceiling;
  failed ||= grown;
  const kb1 = (n) => `${(n / KB).toFixed(1)} KB`;
  console.log(
    `${grown ? "OVER" : "ok  "} ${what.padEnd(28)} ${kb1(value).padStart(9)}` +
      `  ceiling ${kb1(ceiling)}` + (target === Infinity ? "" : `  target ${kb1(target)} ${value <= target ? "✓" : "✗ (missed)"}`),
  );
}
console.log("");
check("launcher (chat closed)", closedTotal, FIGURES.launcher);
check("widget first open, all in", widgetTotal, FIGURES.widget);
check("first use (widget chunk)", usedTotal, FIGURES.firstUse);
check("first message (chat chunk)", chatTotal, FIGURES.chat);
check("dashboard first load", dashboardTotal, FIGURES.dashboard);
check("opening a conversation", conversationTotal, FIGURES.conversation);
check("opening a settings page", settingsTotal, FIGURES.settings);
console.log(`     (opened and used, before the first message: ${((widgetTotal + usedTotal) / KB).toFixed(1)} KB)`);
const early = opened.filter((r) => r.path.startsWith("/pkg/split_"));
if (early.length > 0) {
  failed = true;
  console.log(`OVER the first open fetched a chunk: ${early.map((r) => r.path).join(", ")}`);
}
if (!used.some((r) => r.path.startsWith("/pkg/split_widget_app"))) {
  failed = true;
  console.log("OVER the first use did not fetch the widget's chunk: is the widget still split?");
}
if (used.some((r) => r.path.startsWith("/pkg/split_widget_chat"))) {
  failed = true;
  console.log("OVER the first use fetched the chat's chunk, before any message was typed");
}
if (!chatting.some((r) => r.path.startsWith("/pkg/split_widget_chat"))) {
  failed = true;
  console.log("OVER the first message did not fetch the chat's chunk: is the widget still split?");
}
const dashboardChunk = (rows, name) => rows.some((r) => r.path.startsWith(`/pkg/split_dashboard_${name}`));
if (dashboardFirst.some((r) => r.path.startsWith("/pkg/split_"))) {
  failed = true;
  console.log("OVER the dashboard's first load fetched a chunk: the inbox must hydrate without one");
}
if (!dashboardChunk(conversationOpened, "conversation")) {
  failed = true;
  console.log("OVER opening a conversation did not fetch its chunk: is the dashboard still split?");
}
if (!dashboardChunk(settingsOpened, "settings_pages")) {
  failed = true;
  console.log("OVER opening a settings page did not fetch its chunk: is the dashboard still split?");
}
process.exit(failed ? 1 : 0);
