import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import { accessible, hydrated, shots, signIn } from "./helpers";

// An admin sets up the website widget: its name, colour and greeting reach the widget, and a
// site that is not on the allowed list cannot show it.
test("the website widget's settings: look, words, and the sites that may show it", async ({ browser }) => {
  fs.mkdirSync(shots, { recursive: true });
  const switchboard = new URL(test.info().project.use.baseURL!);
  const adminContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const visitorContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const admin = await adminContext.newPage();
  const visitor = await visitorContext.newPage();

  await signIn(admin);
  await admin.getByTestId("nav-inbox").click();
  await expect(admin.getByRole("heading", { name: "Website widget" })).toBeVisible();
  await hydrated(admin);
  // Out of the box any site may show it, and the page says so.
  await expect(admin.getByTestId("any-site-warning")).toBeVisible();
  await admin.getByTestId("inbox-name").fill("Acme Help");
  await admin.getByTestId("inbox-color").fill("#0f766e");
  await admin.getByTestId("inbox-greeting").fill("Questions about an order? Ask away.");
  await admin.getByTestId("inbox-domains").fill("shop.example\n*.acme.test");
  // A colour too light for white text is refused with the reason.
  await admin.getByTestId("inbox-color").fill("#fde68a");
  await admin.getByRole("button", { name: "Save widget" }).click();
  await expect(admin.getByRole("alert")).toContainText("too light");
  await admin.getByTestId("inbox-color").fill("#0f766e");
  await admin.getByRole("button", { name: "Save widget" }).click();
  await expect(admin.getByText("Saved.")).toBeVisible();
  await expect(admin.getByTestId("any-site-warning")).toHaveCount(0);
  await expect(admin.getByTestId("inbox-snippet")).toContainText(`src="${switchboard.origin}/embed.js" data-color="#0f766e"`);
  await accessible(admin, "the website widget settings");
  await admin.screenshot({ path: `${shots}/inbox-settings.png`, fullPage: true });

  // The widget speaks with the inbox's name and words, in its colour.
  await visitor.goto("/widget");
  await hydrated(visitor);
  await expect(visitor.locator(".widget-title")).toHaveText("Acme Help");
  await expect(visitor.getByTestId("greeting")).toHaveText("Questions about an order? Ask away.");
  const header = await visitor.locator(".widget-header").evaluate((e) => getComputedStyle(e).backgroundColor);
  expect(header).toBe("rgb(15, 118, 110)");

  // The demo host (localhost) is not on the list: the browser refuses to show the widget there.
  const host = await visitorContext.newPage();
  await host.goto(`http://localhost:${switchboard.port}/`);
  await host.locator('[data-switchboard="launcher"]').click();
  await expect(host.locator('iframe[data-switchboard="widget"]')).toBeVisible();
  await host.waitForTimeout(1500);
  await expect(host.frameLocator('iframe[data-switchboard="widget"]').locator("body[data-hydrated]")).toHaveCount(0);

  // With the list emptied again, any site may show it (the later specs embed it).
  await admin.getByTestId("inbox-domains").fill("");
  await admin.getByRole("button", { name: "Save widget" }).click();
  await expect(admin.getByTestId("any-site-warning")).toBeVisible();
  await host.reload();
  await host.locator('[data-switchboard="launcher"]').click();
  await host.frameLocator('iframe[data-switchboard="widget"]').locator("body[data-hydrated]").waitFor();

  await adminContext.close();
  await visitorContext.close();
});
