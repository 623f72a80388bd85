// A rush of changes (a reconnect storm in miniature): one batch changes more
// clients than the stream lists one by one, the server sends `resync`
// (bulk-change) instead, and the live indicator says the view is catching up
// in bulk until the rush is over. The screenshot lands in
// test-results/screenshots/ for a human to look at.
import { expect, test } from "./support/test";
import { connected, ingest, uniqueId } from "./support/ingest";

test("a rush of changes: the indicator says the view catches up in bulk, then live again", async ({
  page,
}) => {
  const prefix = uniqueId("e2e-rush");
  await page.goto(`/?q=${prefix}`);
  const indicator = page.locator("[data-stream-state]");
  await expect(indicator).toHaveAttribute("data-stream-state", "live");
  await expect(indicator).toHaveText("Live");

  // Watch from before the ingest: on a slow machine its answer can come after the notice went.
  const notice = page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>("[data-stream-state]");
      return el?.dataset.streamCatchingUp === "true"
        ? { text: el.textContent, title: el.title, state: el.dataset.streamState }
        : null;
    },
    undefined,
    { timeout: 30_000, polling: 100 },
  );
  // 1,000 IDs of ~60 characters: past the 8 NOTIFY chunks of 7,000 bytes one batch may send.
  const now = Date.now();
  await ingest(
    ...Array.from({ length: 1_000 }, (_, i) =>
      connected(`${prefix}-${String(i).padStart(4, "0")}-`.padEnd(60, "x"), now, 1),
    ),
  );
  const shown = await (await notice).jsonValue();
  // The top bar, for a human to look at (on a loaded machine the notice may be gone by now).
  await page.screenshot({
    path: "test-results/screenshots/live-catching-up.png",
    clip: { x: 0, y: 0, width: 1440, height: 160 },
  });
  // Still live (the stream is up, only summarised), and it says why.
  expect(shown).toEqual({
    text: "Live · catching up",
    title: expect.stringContaining("faster than they can be shown one by one"),
    state: "live",
  });
  // The bulk refresh brought the new clients in without a reload.
  await expect(
    page.locator(`[role="row"][data-client-id^="${prefix}-"]`).filter({ visible: true }).first(),
  ).toHaveAttribute("data-status", "online");

  // Once the rush is over it says plain "Live" again.
  await expect(indicator).not.toHaveAttribute("data-stream-catching-up", "true", {
    timeout: 15_000,
  });
  await expect(indicator).toHaveText("Live");
});
