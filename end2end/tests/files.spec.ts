import { type Page } from "@playwright/test";
import { deflateSync } from "node:zlib";
import { expect, test, accessible, hydrated, shots, signIn, startChat } from "./helpers";

// Files: the visitor attaches a screenshot with the paperclip and the agent sees it inline
// (a thumbnail); the agent pastes an image and drops a PDF, which the visitor sees inline and
// as a download; a slow upload shows its progress and is cancelled (nothing arrives); a file
// over the limit and a PDF named .png are refused with the reason shown.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGB PNG with a diagonal gradient (a stand-in for a screenshot). */
function png(width: number, height: number, tint = 0): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = (x * 255) / width;
      rows[row + 2 + x * 3] = (y * 255) / height;
      rows[row + 3 + x * 3] = tint;
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

/** Whether the image in `page` named `alt` loaded (a broken one has no natural width). */
async function loaded(page: Page, alt: string) {
  const image = page.getByTestId("attachment-image").getByRole("img", { name: alt });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
}

/** Hands `page`'s composer a file as a paste (`paste`) or a drop (`drop`) would. */
async function give(page: Page, how: "paste" | "drop", name: string, type: string, bytes: Buffer) {
  await page.evaluate(
    ({ how, name, type, data }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type }));
      const target = how === "paste" ? document.querySelector("[data-testid=composer-input]") : document.querySelector("form.composer");
      const event =
        how === "paste"
          ? new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true })
          : new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true });
      target!.dispatchEvent(event);
    },
    { how, name, type, data: bytes.toString("base64") },
  );
}

test("visitors and agents send files: images inline, others as downloads, live both ways", async ({ browser }) => {
  // The longest walk of the suite (two pages, images decoded and thumbnailed, a 10 MB file,
  // four axe checks): beside another worker on two cores it can pass the default 90 s.
  test.slow();
  const visitorContext = await browser.newContext({ viewport: { width: 420, height: 720 } });
  const agentContext = await browser.newContext({ viewport: { width: 1360, height: 820 } });
  const visitor = await visitorContext.newPage();
  const agent = await agentContext.newPage();

  await startChat(visitor, "Wren Castillo", "The checkout page shows an error, screenshot coming");
  await signIn(agent);
  await agent.getByTestId("view-all").click();
  await agent.getByTestId("conversation-item").filter({ hasText: "Wren Castillo" }).click();
  await expect(agent.getByTestId("thread-title")).toHaveText("Wren Castillo");

  // The visitor's paperclip: a large screenshot goes up and shows inline on both sides.
  await visitor.getByTestId("attach-input").setInputFiles({ name: "checkout-error.png", mimeType: "image/png", buffer: png(1600, 900) });
  await loaded(visitor, "checkout-error.png");
  await loaded(agent, "checkout-error.png");
  await expect(agent.getByTestId("conversation-item").filter({ hasText: "Wren Castillo" })).toContainText("checkout-error.png");
  // The thread shows the thumbnail; the link opens the whole image.
  const shown = agent.getByTestId("attachment-image").getByRole("img");
  await expect(shown).toHaveAttribute("src", /thumb=1/);
  await expect(agent.getByTestId("attachment-image")).not.toHaveAttribute("href", /thumb/);

  // The agent pastes an image and drops a PDF into the composer.
  await give(agent, "paste", "annotated.png", "image/png", png(320, 200, 200));
  await loaded(agent, "annotated.png");
  await loaded(visitor, "annotated.png");
  await give(agent, "drop", "refund-policy.pdf", "application/pdf", PDF);
  const card = visitor.getByTestId("attachment-file").filter({ hasText: "refund-policy.pdf" });
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute("href", /download=1/);
  await expect(card).toHaveAttribute("href", /key=/);
  const [download] = await Promise.all([visitor.waitForEvent("download"), card.click()]);
  expect(download.suggestedFilename()).toBe("refund-policy.pdf");
  await expect(agent.getByTestId("attachment-file").filter({ hasText: "refund-policy.pdf" })).toBeVisible();
  await accessible(visitor, "the widget with an image and a file");
  await visitor.screenshot({ path: `${shots}/files-widget.png` });
  await accessible(agent, "the thread with images and a file");
  await agent.screenshot({ path: `${shots}/files-agent-thread.png` });

  // Refused before it leaves: over the limit (10 MB). Refused by the server: a PDF named .png.
  await visitor.getByTestId("attach-input").setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: Buffer.alloc(10 * 1024 * 1024 + 1) });
  await expect(visitor.getByTestId("upload-error")).toContainText("too large");
  await visitor.getByTestId("upload-cancel").click();
  await expect(visitor.getByTestId("upload")).toHaveCount(0);
  await visitor.getByTestId("attach-input").setInputFiles({ name: "cat.png", mimeType: "image/png", buffer: PDF });
  await expect(visitor.getByTestId("upload-error")).toContainText("ends in .png, but it is a PDF");
  await accessible(visitor, "the widget with a refused file");
  await visitor.screenshot({ path: `${shots}/files-refused.png` });
  await visitor.getByTestId("upload-cancel").click();

  // A slow upload shows its progress and can be cancelled: nothing of it arrives.
  const cdp = await visitorContext.newCDPSession(visitor);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
  // 8 MB (the limit is 10): once under CI load a 2 MB body reached the server whole before the
  // cancel despite the throttle (it was stored and shown), so the file is larger than any burst.
  await visitor.getByTestId("attach-input").setInputFiles({ name: "slow.pdf", mimeType: "application/pdf", buffer: Buffer.concat([PDF, Buffer.alloc(8 * 1024 * 1024)]) });
  const progress = visitor.getByTestId("upload-progress");
  await expect(progress).toBeVisible();
  await expect.poll(() => progress.evaluate((p: HTMLProgressElement) => p.value), { timeout: 15_000 }).toBeGreaterThan(0);
  await visitor.screenshot({ path: `${shots}/files-progress.png` });
  await visitor.getByRole("button", { name: "Cancel sending slow.pdf" }).click();
  await expect(visitor.getByTestId("upload")).toHaveCount(0);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  // A message sent after it arrives; the cancelled file never does.
  await visitor.getByTestId("composer-input").fill("Never mind the PDF");
  await visitor.getByTestId("composer-input").press("Enter");
  await expect(agent.getByTestId("messages")).toContainText("Never mind the PDF");
  await expect(agent.getByTestId("message").filter({ hasText: "Never mind the PDF" })).toHaveCount(1);
  await expect(agent.getByTestId("messages")).not.toContainText("slow.pdf");

  // After a reload both sides still show the files (from the store).
  await visitor.reload();
  await hydrated(visitor);
  await loaded(visitor, "checkout-error.png");
  await agent.reload();
  await hydrated(agent);
  await loaded(agent, "annotated.png");
  await expect(agent.getByTestId("messages")).not.toContainText("slow.pdf");
  await visitorContext.close();
  await agentContext.close();
});
