import { expect, test } from "@playwright/test";

// serve.sh starts the release binary copied alone into an empty folder, as the README deploys
// it. Every page must find every script, style and WASM file it references, from the binary.
for (const path of ["/", "/widget", "/agent/login"]) {
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
    if (path === "/") {
      // The host page's embed script comes from the binary too, and the snippet to copy
      // names the address this server answers on (under its other loopback name: the demo
      // is a cross-site embed), not a fixed one.
      expect((await request.get("/embed.js")).status()).toBe(200);
      const here = new URL(page.url());
      const other = here.hostname === "127.0.0.1" ? "localhost" : "127.0.0.1";
      await expect(page.getByTestId("embed-snippet")).toHaveText(
        `<script src="http://${other}:${here.port}/embed.js" async></script>`,
      );
    }
    await page.locator("body[data-hydrated]").waitFor();
    expect(failed).toEqual([]);
    const policy = (await request.get(path)).headers()["content-security-policy"] ?? "";
    expect(policy, "the page has a script policy").toContain("script-src");
    expect(blocked).toEqual([]);
  });
}
