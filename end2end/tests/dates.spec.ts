import * as fs from "node:fs";
import { expect, test } from "./helpers";

const shots = process.env.UPDATE_SCREENSHOTS ? "../docs/screenshots" : "screenshots";

// Times are rendered in UTC on the server, then in the reader's own locale and time zone
// (Intl.DateTimeFormat) once the page hydrates; before that they are hidden, never wrong.
test("the widget shows times in the visitor's locale and time zone", async ({ browser }) => {
  const context = await browser.newContext({
    locale: "de-DE",
    timezoneId: "Asia/Kathmandu",
    viewport: { width: 420, height: 680 },
  });
  const page = await context.newPage();
  await page.goto("/widget");
  // The widget hydrates at its first use: a pointer press stands for it.
  await page.locator("body").dispatchEvent("pointerdown");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByTestId("start-name").fill("Jonas");
  await page.getByTestId("composer-input").fill("Guten Tag!");
  await page.getByTestId("composer-input").press("Enter");
  await expect(page.getByTestId("message")).toContainText("Guten Tag!");

  // Kathmandu is UTC+5:45: a clock in that zone never shows the UTC minutes.
  const shown = (await page.getByTestId("message").locator("time").first().textContent())!.trim();
  const expected = await page.evaluate(() =>
    new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(new Date()),
  );
  const utc = new Date().toISOString().slice(11, 16);
  expect(shown).not.toBe(utc);
  // The same minute, or the one before it if the minute turned while the test ran.
  const before = await page.evaluate(() =>
    new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(
      new Date(Date.now() - 60_000),
    ),
  );
  expect([expected, before]).toContain(shown);
  // The day separator speaks German.
  await expect(page.locator(".day-separator time")).toHaveText("Heute");
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/widget-de-kathmandu.png` });

  // After a reload the same holds, and a hidden time is shown once hydrated.
  await page.reload();
  // The widget hydrates at its first use: a pointer press stands for it.
  await page.locator("body").dispatchEvent("pointerdown");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.locator(".day-separator time")).toHaveText("Heute");
  await expect(page.getByTestId("message").locator("time").first()).toBeVisible();
  await context.close();
});
