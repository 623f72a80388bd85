// Nothing secret or server-only reaches the browser: scan the built client
// bundle (npm test builds before running this).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const staticDir = path.resolve(process.env.NEXT_DIST_DIR ?? ".next", "static");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/**
 * npm test builds with sentinel secrets in the environment (package.json
 * "test"): any of them in a browser file means server configuration leaked.
 */
const FORBIDDEN: RegExp[] = [
  /sentinel-[a-z-]+-8d1f/,
  /postgres(ql)?:\/\/\w+:\w+@/,
  /password_hash/,
  /scrypt\$\d/,
  /pg_advisory/,
  /@prisma\/adapter-pg/,
  /pg-query-stream/,
  /test-admin-password/,
];

describe("client bundle", () => {
  it("holds no secrets, connection strings or database code", () => {
    const scripts = files(staticDir).filter((f) => f.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const file of scripts) {
      const text = readFileSync(file, "utf8");
      for (const pattern of FORBIDDEN) {
        const found = pattern.exec(text);
        if (found) leaks.push(`${path.relative(staticDir, file)}: ${found[0]}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
