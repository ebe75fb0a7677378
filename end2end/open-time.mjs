// Times the widget's opening as a visitor on a slow phone feels it (headless Debian Chromium):
// from a click on the launcher to the composer on screen (the server's HTML: what is typed there
// is kept), and to the widget hydrated when the visitor starts typing at once (it hydrates at
// its first use, src/widget/wake.rs), on Lighthouse's
// "Slow 4G" profile (150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up) with the CPU slowed
// 4×; once clicked straight away, once after the launcher was hovered for 500 ms (the embed
// starts loading the frame on hover). A fresh browser context each run: nothing cached.
// Prints the median of RUNS runs per case; a benchmark, not a test: it fails on nothing.
// Usage: node open-time.mjs http://localhost:PORT/  (the demo page, as size.mjs)
import { chromium } from "@playwright/test";

const hostPage = process.argv[2];
const RUNS = Number(process.env.OPEN_TIME_RUNS ?? 3);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // The frame is cross-site (localhost embeds 127.0.0.1): kept in the page's process, so the
  // page's network and CPU throttling reach it too.
  args: ["--no-sandbox", "--disable-gpu", "--disable-site-isolation-trials", "--disable-features=site-per-process"],
});

async function openOnce(hoverMs) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, serviceWorkers: "block" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(hostPage);
  const launcher = page.locator('[data-switchboard="launcher"]');
  await launcher.waitFor();
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  if (hoverMs > 0) {
    await launcher.hover();
    await page.waitForTimeout(hoverMs);
  }
  const began = Date.now();
  await launcher.click();
  const frame = page.frameLocator('iframe[data-switchboard="widget"]');
  await frame.getByTestId("composer-input").waitFor({ timeout: 60_000 });
  const shown = Date.now() - began;
  await frame.getByTestId("composer-input").press("H");
  await frame.locator("body[data-hydrated]").waitFor({ timeout: 60_000 });
  const hydrated = Date.now() - began;
  await context.close();
  return [shown, hydrated];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`\nClick on the launcher → composer shown / hydrated after typing at once, Slow 4G, CPU 4× (median of ${RUNS}):`);
for (const [what, hoverMs, target] of [
  ["clicked straight away", 0, 3000],
  ["hovered 500 ms first", 500, 1500],
]) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await openOnce(hoverMs));
  const shown = median(runs.map((r) => r[0]));
  const hydrated = median(runs.map((r) => r[1]));
  console.log(
    `  ${what.padEnd(24)} shown ${String(shown).padStart(6)} ms, hydrated ${String(hydrated).padStart(6)} ms` +
      `  (runs: ${runs.map((r) => r.join("/")).join(", ")})  target ≤ ${target} ms (hydrated) ${hydrated <= target ? "✓" : "✗ (missed)"}`,
  );
}
await browser.close();
