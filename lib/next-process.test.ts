// package.json cannot import APP_NODE_ARGS, so `npm run serve` repeats them:
// this keeps the copy in step with the one `npm start` and the harness use.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { APP_NODE_ARGS } from "./next-process";

describe("npm run serve", () => {
  it("starts Next.js with the app's Node.js arguments", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    const serve = pkg.scripts.serve!.split(/\s+/);
    expect(serve[0]).toBe("node");
    expect(serve.slice(1, 1 + APP_NODE_ARGS.length)).toEqual(APP_NODE_ARGS);
    expect(serve[1 + APP_NODE_ARGS.length]).toBe("node_modules/next/dist/bin/next");
  });
});
