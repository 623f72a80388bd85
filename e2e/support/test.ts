// Playwright's `test` with one automatic fixture: every uncaught error of a
// page the test opens (a React render loop, a failed hydration) is printed as
// it happens, with the test's title. When the test fails, the requests that
// failed or answered 5xx are printed too, and what became of each live stream, and
// both lists are attached to its report. A failure caused by a crash on the
// page or a refused stream then says so in CI's log, instead of only the
// assertion that timed out after it.
import { test as base, type Page, type Request } from "@playwright/test";

export { expect } from "@playwright/test";
export type {
  Browser,
  BrowserContext,
  ConsoleMessage,
  Page,
  Request,
  Response,
} from "@playwright/test";

export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ context }, use, testInfo) => {
      const errors: string[] = [];
      const requests: string[] = [];
      const streams = new Map<Request, { asked: string; outcome: string }>();
      const start = Date.now();
      const at = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
      const watch = (page: Page) => {
        page.on("pageerror", (error) => {
          const line = `${at()} ${page.url()}: ${error.stack ?? error.message}`;
          errors.push(line);
          console.log(`[page error in "${testInfo.title}"] ${line}`);
        });
        page.on("requestfailed", (request) => {
          const failure = request.failure()?.errorText;
          const stream = streams.get(request);
          if (stream !== undefined) stream.outcome = `${failure} at ${at()}`;
          // A navigation cancels what the page left open: not a fault.
          if (failure === "net::ERR_ABORTED") return;
          requests.push(`${at()} ${request.method()} ${request.url()}: ${failure}`);
        });
        // The live stream: when each one was asked for and what became of it.
        page.on("request", (request) => {
          if (new URL(request.url()).pathname === "/api/stream")
            streams.set(request, { asked: at(), outcome: "no answer yet" });
        });
        page.on("response", (response) => {
          const stream = streams.get(response.request());
          if (stream !== undefined) stream.outcome = `${response.status()} at ${at()}`;
          if (response.status() >= 500)
            requests.push(
              `${at()} ${response.request().method()} ${response.url()}: ${response.status()}`,
            );
        });
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use(errors);
      if (testInfo.status === testInfo.expectedStatus) return;
      for (const { asked, outcome } of streams.values())
        requests.push(`${asked} GET /api/stream: ${outcome}`);
      if (requests.length > 0)
        console.log(
          `[failed requests and live streams in "${testInfo.title}"]\n${requests.join("\n")}`,
        );
      for (const [name, lines] of [
        ["page errors", errors],
        ["failed requests and live streams", requests],
      ] as const)
        if (lines.length > 0)
          await testInfo.attach(name, { body: lines.join("\n\n"), contentType: "text/plain" });
    },
    { auto: true },
  ],
});
