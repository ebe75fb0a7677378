import { type Page } from "@playwright/test";
import { expect, test, hydrated, shots, signIn } from "./helpers";

// Hostile text from visitors (and agents) must render as text everywhere. Every payload that
// would become an element carries `data-xss`, and every script it could run sets
// `window.__pwned`: after rendering, neither may exist, and no dialog may open.
// Names, e-mail, user agent, messages, page address, title, referrer and context all carry them.
const corpus: string[] = [
  `<script data-xss>window.__pwned=1</script>`,
  `<img src=x data-xss onerror="window.__pwned=1">`,
  `<svg data-xss onload="window.__pwned=1">`,
  `"><img src=x data-xss onerror=window.__pwned=1>`,
  `'><script data-xss>window.__pwned=1</script>`,
  `javascript:window.__pwned=1`,
  `data:text/html,<script data-xss>window.__pwned=1</script>`,
  `<a data-xss href="javascript:window.__pwned=1">click me</a>`,
  `<iframe data-xss src="javascript:window.__pwned=1"></iframe>`,
  `<body data-xss onload=window.__pwned=1>`,
  `<math data-xss><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>`,
  `<details data-xss open ontoggle=window.__pwned=1>`,
  `<input data-xss autofocus onfocus=window.__pwned=1>`,
  `<video data-xss><source onerror=window.__pwned=1></video>`,
  `<object data-xss data="javascript:window.__pwned=1"></object>`,
  `<embed data-xss src="data:text/html,<script>window.__pwned=1</script>">`,
  `<style data-xss>body{display:none}</style>`,
  `<link data-xss rel=stylesheet href=//evil.example/x.css>`,
  `<meta data-xss http-equiv="refresh" content="0;url=javascript:window.__pwned=1">`,
  `<div data-xss style="background:url(javascript:window.__pwned=1)">styled</div>`,
  `</textarea><script data-xss>window.__pwned=1</script>`,
  `</title><script data-xss>window.__pwned=1</script>`,
  `<!--<img src="--><img data-xss src=x onerror=window.__pwned=1//">`,
  `<scr<script>ipt data-xss>window.__pwned=1</scr</script>ipt>`,
  `\u202Egnp.exe the RTL override`,
  `\u202E<b data-xss>reversed</b>`,
  "A".repeat(3000),
  `{{constructor.constructor('window.__pwned=1')()}}`,
  "${window.__pwned=1}",
  `<svg><script data-xss>window.__pwned=1</script></svg>`,
  `<form data-xss action=javascript:window.__pwned=1><button>go</button></form>`,
  `<base data-xss href="https://evil.example/">`,
  `<template data-xss><img src=x onerror=window.__pwned=1></template>`,
  `&lt;img data-xss src=x onerror=window.__pwned=1&gt;`,
  `<noscript><p title="</noscript><img data-xss src=x onerror=window.__pwned=1>">`,
];
// An address with markup in it is refused (only what mail servers take passes); one that is an
// address and still tries to break out of an attribute is kept, and must render as text.
const markupEmail = `"><img/data-xss/src=x/onerror=window.__pwned=1>@evil.example`;
const hostileEmail = `x'/onmouseover='window.__pwned=1'@evil.example`;
// The browser's User-Agent is the visitor's to choose too.
const hostileAgent = `<img data-xss src=x onerror=window.__pwned=1> Mozilla/5.0 Chrome/1 "><svg data-xss onload=window.__pwned=1>`;
// Names are at most 80 characters: the short payloads.
const names = corpus.filter((p) => p.length <= 80 && p.includes("data-xss")).slice(0, 5);

/** Calls a server function from the page, as the widget does (same origin, its cookie). */
async function call(page: Page, endpoint: string, args: Record<string, string>) {
  return page.evaluate(
    async ([endpoint, args]) => {
      const response = await fetch(`/api/${endpoint}`, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(args as Record<string, string>).toString(),
      });
      return { status: response.status, body: await response.json() };
    },
    [endpoint, args] as const,
  );
}

async function untouched(page: Page, where: string) {
  const found = await page.evaluate(() => ({
    injected: document.querySelectorAll("[data-xss]").length,
    pwned: (window as any).__pwned ?? null,
  }));
  expect(found, `${where}: no element injected and no script ran`).toEqual({ injected: 0, pwned: null });
}

test("an XSS corpus sent as names, messages, page and context renders as text in the dashboard and the widget", async ({ browser }) => {
  test.setTimeout(180_000);
  expect(corpus.length).toBeGreaterThanOrEqual(30);
  const dialogs: string[] = [];
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const agent = await agentContext.newPage();
  agent.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });

  // Visitors whose names are payloads; the first also sends every payload as a message, and
  // says (through the host page's API) that it is on a hostile page with hostile context.
  const visitors: Page[] = [];
  for (const [i, name] of names.entries()) {
    const context = await browser.newContext({
      viewport: { width: 420, height: 700 },
      ...(i === 0 ? { userAgent: hostileAgent } : {}),
    });
    const visitor = await context.newPage();
    visitor.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await visitor.goto("/widget");
    await hydrated(visitor);
    if (i === 0) {
      const refused = await call(visitor, "start_conversation", {
        name, email: markupEmail, body: "markup", client_id: crypto.randomUUID(), page_url: corpus[5],
      });
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    }
    const started = await call(visitor, "start_conversation", {
      name, email: i === 0 ? hostileEmail : "", body: `hello ${i}`, client_id: crypto.randomUUID(), page_url: corpus[5],
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    visitors.push(visitor);
  }
  const visitor = visitors[0];
  for (const body of corpus) {
    const sent = await call(visitor, "send_visitor_message", { body, client_id: crypto.randomUUID() });
    expect(sent.status, `${body}: ${JSON.stringify(sent.body)}`).toBe(200);
  }
  const page = await call(visitor, "visitor_page", {
    url: `https://evil.example/?q="><img data-xss src=x onerror=window.__pwned=1>`,
    title: `<img data-xss src=x onerror=window.__pwned=1>`,
    referrer: `"><svg data-xss onload=window.__pwned=1>`,
  });
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  const context = JSON.stringify(corpus.slice(0, 12).map((p, i) => [`key ${i}`, p.slice(0, 500)]));
  const said = await call(visitor, "visitor_context", { name: "", email: "", context });
  expect(said.status, JSON.stringify(said.body)).toBe(200);

  // The widget now shows this conversation (it was started behind its back).
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.getByTestId("messages")).toContainText(corpus[1]);
  await untouched(visitor, "the widget, rendered by the server");

  // The dashboard: the list, the thread and the visitor panel.
  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await expect(agent.getByTestId("conversation-item")).not.toHaveCount(0);
  await untouched(agent, "the inbox list");
  await agent.getByTestId("conversation-item").filter({ hasText: names[0] }).first().click();
  await expect(agent.getByTestId("message").last()).toBeVisible();
  await expect(agent.getByTestId("messages")).toContainText(corpus[0]);
  await expect(agent.getByTestId("messages")).toContainText(corpus[1]);
  await untouched(agent, "the thread and the visitor panel");
  // The e-mail is shown as text (and a user agent only ever as a browser's name).
  await expect(agent.getByText(hostileEmail.toLowerCase()).first()).toBeVisible();
  await agent.screenshot({ path: `${shots}/xss-corpus-dashboard.png` });
  // A page address that is not http(s) never becomes a link.
  await expect(agent.locator('a[href^="javascript:"]')).toHaveCount(0);

  // The agent answers with payloads too; the visitor's widget shows them as text, live.
  for (const body of corpus.slice(0, 6)) {
    await agent.getByTestId("composer-input").fill(body);
    await agent.getByTestId("composer-input").press("Enter");
  }
  await expect(visitor.getByTestId("messages")).toContainText(corpus[5]);
  await untouched(visitor, "the widget, live");
  await visitor.reload();
  await hydrated(visitor);
  await expect(visitor.getByTestId("messages")).toContainText(corpus[5]);
  await untouched(visitor, "the widget with the agent's replies, rendered by the server");
  await visitor.screenshot({ path: `${shots}/xss-corpus-widget.png` });
  for (const other of visitors.slice(1)) await untouched(other, "another visitor's widget");
  await agent.reload();
  await hydrated(agent);
  await untouched(agent, "the thread, rendered by the server");
  expect(dialogs).toEqual([]);

  await agentContext.close();
  for (const v of visitors) await v.context().close();
});
