import { expect, test, accessible, hydrated, shots } from "./helpers";

// Limits as people meet them: a server with tight limits (the other specs' servers raise them,
// since every visitor here comes from one address), so a visitor who writes too fast and a
// burglar at the sign-in form each see what happened and when to try again.
test.use({
  serverEnv: {
    SWITCHBOARD_LIMITS:
      "visitor_messages_per_minute=3,sign_in_free_failures=1,sign_in_lock_after=3,sign_in_lock_minutes=1",
  },
});

test("a visitor writing too fast is told to wait, and the message goes out by itself", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 420, height: 700 });
  await page.goto("/widget");
  await hydrated(page);
  await page.getByTestId("start-name").fill("Quick Fingers");
  await page.getByTestId("composer-input").fill("message 1");
  await page.getByTestId("composer-input").press("Enter");
  await expect(page.getByTestId("message")).toHaveText(/message 1/);
  for (const n of [2, 3, 4, 5]) {
    await page.getByTestId("composer-input").fill(`message ${n}`);
    await page.getByTestId("composer-input").press("Enter");
  }
  // Three a minute: the rest are held back, with the reason and the wait beside them.
  const note = page.getByTestId("failed-note").first();
  await expect(note).toContainText(/going too fast\. Try again in \d+ seconds/);
  await expect(page.getByTestId("message").last()).toContainText("message 5");
  await accessible(page, "the widget with a rate-limited message");
  await page.screenshot({ path: `${shots}/limits-widget-too-fast.png` });
  // Once the wait is over it is sent again without the visitor doing anything.
  await expect(page.getByTestId("failed-note")).toHaveCount(0, { timeout: 100_000 });
  for (const n of [1, 2, 3, 4, 5]) {
    await expect(page.getByTestId("message").filter({ hasText: `message ${n}` }).getByTestId("tick")).toHaveAttribute(
      "data-state",
      /sent|delivered|read/,
    );
  }
});

test("guessing passwords locks the sign-in form, which says for how long", async ({ page }) => {
  await page.goto("/agent/login");
  await hydrated(page);
  await page.getByLabel("E-mail").fill("ana@example.com");
  const alert = page.locator(".form-error[role=alert]");
  for (let n = 0; n < 4; n++) {
    await page.getByLabel("Password").fill(`wrong guess ${n}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(alert).toBeVisible();
    if (/Try again/i.test((await alert.textContent()) ?? "")) break;
  }
  await expect(alert).toContainText(/Try again in/i);
  // Locked means locked: the right password is refused too, with the same message.
  await page.getByLabel("Password").fill("e2e-password-123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(alert).toContainText(/Try again in/i);
  await expect(page).toHaveURL(/\/agent\/login$/);
  await accessible(page, "the locked sign-in form");
  await page.screenshot({ path: `${shots}/limits-sign-in-locked.png` });
});
