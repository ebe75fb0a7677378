import * as fs from "node:fs";
import { expect, test, accessible, frameHydrated, hydrated, shots, signIn } from "./helpers";

// An admin sets up the website widget: its name, colour and greeting reach the widget, and a
// site that is not on the allowed list cannot show it.
test("the website widget's settings: look, words, and the sites that may show it", async ({ browser, baseURL }) => {
  fs.mkdirSync(shots, { recursive: true });
  const switchboard = new URL(baseURL!);
  const adminContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const visitorContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const admin = await adminContext.newPage();
  const visitor = await visitorContext.newPage();

  await signIn(admin);
  await admin.getByTestId("nav-inboxes").click();
  await expect(admin.getByRole("heading", { name: "Inboxes", exact: true })).toBeVisible();
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
  await expect(admin.getByTestId("inbox-snippet")).toContainText(`src="${switchboard.origin}/embed.js" data-inbox="default" data-color="#0f766e"`);
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
  await frameHydrated(host.frameLocator('iframe[data-switchboard="widget"]'));

  await adminContext.close();
  await visitorContext.close();
});

// A second website gets its own inbox: its language, its business hours (closed all week
// here), and its conversations under its name in the dashboard's inbox filter. A visitor whose
// browser speaks Spanish hears the default widget in Spanish.
test("a second website: its own inbox, language and hours; the widget speaks the visitor's language", async ({ browser }) => {
  const adminContext = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const admin = await adminContext.newPage();
  await signIn(admin);
  await admin.goto("/agent/inboxes");
  await hydrated(admin);
  await admin.getByTestId("new-inbox-name").fill("Tienda");
  await admin.getByRole("button", { name: "Add inbox" }).click();
  await expect(admin).toHaveURL(/\/agent\/inboxes\?id=[0-9a-f]{12}$/);
  const inboxId = new URL(admin.url()).searchParams.get("id")!;
  await expect(admin.getByTestId("inbox-name")).toHaveValue("Tienda");
  await admin.getByTestId("inbox-language").selectOption("es");
  await admin.getByTestId("hours-limited").check();
  await expect(admin.getByTestId("hours-open")).toHaveCount(7);
  for (const day of await admin.getByTestId("hours-open").all()) await day.uncheck();
  await admin.getByTestId("inbox-zone").fill("Europe/Atlantis");
  await admin.getByRole("button", { name: "Save widget" }).click();
  await expect(admin.getByRole("alert")).toContainText("time zone");
  await admin.getByTestId("inbox-zone").fill("Europe/Madrid");
  await admin.getByRole("button", { name: "Save widget" }).click();
  await expect(admin.getByText("Saved.")).toBeVisible();
  await expect(admin.getByTestId("inbox-snippet")).toContainText(`data-inbox="${inboxId}"`);
  await expect(admin.getByTestId("inbox-tab")).toHaveCount(2);
  await accessible(admin, "a second inbox's settings");
  await admin.screenshot({ path: `${shots}/inbox-second.png`, fullPage: true });

  // Its widget speaks Spanish to anyone, shows the away message, and wants an e-mail.
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 720 } });
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/widget?inbox=${inboxId}`);
  await hydrated(visitor);
  await expect(visitor.locator(".widget-title")).toHaveText("Tienda");
  await expect(visitor.getByRole("heading", { name: "¡Hola!" })).toBeVisible();
  await expect(visitor.getByTestId("widget-status")).toContainText("away");
  await expect(visitor.getByTestId("start-email")).toHaveAttribute("required", "");
  await visitor.getByTestId("start-email").fill("lola@example.com");
  await visitor.getByTestId("composer-input").fill("¿Tenéis la talla M?");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(visitor.getByTestId("message")).toHaveText(/talla M/);
  await expect(visitor.getByTestId("composer-input")).toHaveAttribute("placeholder", "Escribe una respuesta…");
  await visitor.screenshot({ path: `${shots}/widget-es-out-of-hours.png` });

  // The dashboard filters by inbox; the panel says the chat came out of hours.
  await admin.goto("/agent");
  await hydrated(admin);
  await admin.getByTestId("inbox-filter").selectOption({ label: "Tienda" });
  await expect(admin.getByTestId("conversation-item")).toHaveCount(1);
  await admin.getByTestId("conversation-item").click();
  await expect(admin.getByText("Out of business hours")).toBeVisible();

  // The default widget follows the browser's language.
  const spanish = await browser.newContext({ locale: "es-ES", viewport: { width: 420, height: 720 } });
  const hola = await spanish.newPage();
  await hola.goto("/widget");
  await hydrated(hola);
  await expect(hola.getByRole("heading", { name: "¡Hola!" })).toBeVisible();
  await expect(hola.getByTestId("composer-input")).toHaveAttribute("placeholder", "Escribe tu mensaje…");
  await expect(hola.getByTestId("start-name")).toHaveAttribute("placeholder", "Tu nombre (opcional)");
  await accessible(hola, "the widget in Spanish");
  await hola.screenshot({ path: `${shots}/widget-es.png` });

  await spanish.close();
  await visitorContext.close();
  await adminContext.close();
});
