import { defineConfig } from "@playwright/test";
import { cpus } from "node:os";

// Every test starts a server of its own (tests/helpers.ts: the release binary alone in an
// empty folder, on its own port and SQLite file), so tests share nothing, run in any order and
// in parallel: one worker per core.
export default defineConfig({
  testDir: "./tests",
  // A safety net, not a speed check (speed lives in the benchmarks). On a slow or shared
  // machine every action of the longer walks took over a second beside another worker, and
  // walks that take ~40 s alone passed 90 s (CI of the sixteenth session).
  timeout: 180_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: Number(process.env.E2E_WORKERS ?? cpus().length),
  reporter: [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download is not reachable here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
