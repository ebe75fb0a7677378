// Weighs the embed as a visitor's browser downloads it (headless Debian Chromium): what a host
// page view with the chat closed transfers from Switchboard, then what opening the widget adds.
// Prints bytes on the wire (compressed) per resource and checks them against the budgets of
// issue 10. Usage: node size.mjs http://localhost:PORT/  (the demo page, embedding from the
// other loopback name). Exits 1 when a budget is exceeded.
import { chromium } from "@playwright/test";

const hostPage = process.argv[2];
const LAUNCHER_BUDGET = 5 * 1024;
const WIDGET_BUDGET = 120 * 1024;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const page = await (await browser.newContext()).newPage();
const host = new URL(hostPage).host;
const seen = [];
page.on("requestfinished", async (request) => {
  const url = new URL(request.url());
  if (url.host === host) return;
  const sizes = await request.sizes().catch(() => null);
  const response = await request.response();
  seen.push({
    path: url.pathname,
    bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0,
    body: sizes ? sizes.responseBodySize : 0,
    encoding: response?.headers()["content-encoding"] ?? "-",
  });
});
await page.goto(hostPage);
await page.locator('[data-switchboard="launcher"]').waitFor();
await page.waitForTimeout(1500);
const closed = seen.splice(0);
await page.locator('[data-switchboard="launcher"]').click();
await page.frameLocator('iframe[data-switchboard="widget"]').locator("body[data-hydrated]").waitFor();
await page.waitForTimeout(1500);
const opened = seen.splice(0);
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
let failed = false;
function check(what, value, budget) {
  const ok = value <= budget;
  failed ||= !ok;
  console.log(`${ok ? "ok  " : "OVER"} ${what}: ${(value / 1024).toFixed(1)} KB (budget ${(budget / 1024).toFixed(0)} KB)`);
}
console.log("");
check("launcher (chat closed)", closedTotal, LAUNCHER_BUDGET);
check("widget first open, all in", widgetTotal, WIDGET_BUDGET);
process.exit(failed ? 1 : 0);
