import { expect, test } from "./helpers";

// Each test's server is the release binary started alone in an empty folder, as the README
// deploys it (helpers.ts). Every page must find every script, style and WASM file it
// references, from the binary.
for (const path of ["/widget", "/agent/login"]) {
  test(`${path} loads every asset it references and hydrates`, async ({ page, request }) => {
    const failed: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    // The page's Content-Security-Policy blocks nothing the page itself needs.
    const blocked: string[] = [];
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) blocked.push(message.text());
    });
    await page.goto(path);
    const assets = await page.evaluate(() =>
      [
        ...Array.from(document.querySelectorAll("script[src]"), (s) => (s as HTMLScriptElement).src),
        ...Array.from(document.querySelectorAll("link[href]"), (l) => (l as HTMLLinkElement).href),
      ].filter((url) => url.startsWith(location.origin)),
    );
    expect(assets.some((url) => url.endsWith(".wasm"))).toBe(true);
    expect(assets.some((url) => url.endsWith(".js"))).toBe(true);
    for (const url of assets) {
      const response = await request.get(url, { headers: { "accept-encoding": "br, gzip" } });
      expect(response.status(), url).toBe(200);
    }
    // The WASM goes to every visitor: it is served precompressed.
    const wasm = assets.find((url) => url.endsWith(".wasm"))!;
    const compressed = await request.get(wasm, { headers: { "accept-encoding": "br" } });
    expect(compressed.headers()["content-encoding"]).toBe("br");
    expect(compressed.headers()["content-type"]).toBe("application/wasm");
    // The widget hydrates at its first use: a pointer press stands for it.
    await page.locator("body").dispatchEvent("pointerdown");
    await page.locator("body[data-hydrated]").waitFor();
    expect(failed).toEqual([]);
    const policy = (await request.get(path)).headers()["content-security-policy"] ?? "";
    expect(policy, "the page has a script policy").toContain("script-src");
    expect(blocked).toEqual([]);
  });
}

// The demo host page is what a new user opens first: a plain page, as a customer's is, that
// loads nothing of the app (no WASM, no app script or styles), only the embed, from the other
// loopback name (a cross-site embed), and whose snippet fits its box at every width and copies.
test("/ is a plain page with the one-line embed, a snippet that fits, and a copy button", async ({ browser, baseURL }) => {
  const here = new URL(baseURL!);
  const other = here.hostname === "127.0.0.1" ? "localhost" : "127.0.0.1";
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const page = await context.newPage();
  const loaded: { url: string; bytes: number }[] = [];
  page.on("requestfinished", async (request) => {
    const sizes = await request.sizes().catch(() => null);
    loaded.push({ url: request.url(), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
  });
  await page.goto("/");
  await expect(page.locator('[data-switchboard="launcher"]')).toBeVisible();
  await page.waitForLoadState("networkidle");
  const urls = loaded.map((r) => r.url);
  expect(urls.filter((url) => /\.wasm|\/pkg\//.test(url)), "no app bundle").toEqual([]);
  expect(urls).toContain(`http://${other}:${here.port}/embed.js`);
  const total = loaded.reduce((sum, r) => sum + r.bytes, 0);
  expect(total, `the page and the embed: ${JSON.stringify(loaded)}`).toBeLessThan(12 * 1024);
  const snippet = page.getByTestId("embed-snippet");
  await expect(snippet).toHaveText(`<script src="http://${other}:${here.port}/embed.js" async></script>`);

  for (const width of [360, 390, 430, 768, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    const fits = await page.evaluate(() => {
      const box = document.querySelector(".snippet")!;
      const code = document.querySelector("#snippet") as HTMLElement;
      const copy = document.querySelector("#copy")!.getBoundingClientRect();
      const outer = box.getBoundingClientRect();
      return {
        wraps: code.scrollWidth <= code.clientWidth + 1,
        inside: outer.right <= document.documentElement.clientWidth && copy.right <= outer.right,
        page: document.documentElement.scrollWidth <= document.documentElement.clientWidth,
      };
    });
    expect(fits, `at ${width} px`).toEqual({ wraps: true, inside: true, page: true });
  }
  await page.getByTestId("copy-snippet").click();
  await expect(page.getByTestId("copy-snippet")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await snippet.textContent());
  await context.close();
});
