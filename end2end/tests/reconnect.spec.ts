import { expect, test } from "./helpers";

// A server that stops answering (a stalled proxy, a half-open TCP connection) must show
// "Reconnecting…" as soon as one heartbeat goes unanswered, not after the socket times out,
// and come back by itself.
test("a silent server shows Reconnecting… within one heartbeat, then recovers", async ({ page }) => {
  let silent = false;
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (!silent) ws.send(message);
    });
  });
  await page.goto("/widget");
  // The widget hydrates at its first use: a pointer press stands for it.
  await page.locator("body").dispatchEvent("pointerdown");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByTestId("start-name").fill("Noor");
  await page.getByTestId("composer-input").fill("Is anyone there?");
  await page.getByTestId("composer-input").press("Enter");
  const badge = page.getByTestId("connection");
  await expect(badge).toHaveText("Online");

  // The heartbeat pings every 5 s; one unanswered ping is reported 1.5 s later (at most
  // 7 s after the server falls silent; before, nothing showed until 10 to 15 s).
  silent = true;
  const stalled = Date.now();
  await expect(badge).toHaveText("Reconnecting…", { timeout: 9_000 });
  expect(Date.now() - stalled).toBeLessThan(9_000);

  // The server answers again (on the reopened socket at the latest): back online, and the
  // conversation is still there.
  silent = false;
  await expect(badge).toHaveText("Online", { timeout: 20_000 });
  await expect(page.getByTestId("message")).toContainText("Is anyone there?");
});
