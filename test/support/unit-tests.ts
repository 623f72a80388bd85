// Which test files `npm run check` runs (TESTS=unit): those whose static
// imports never reach the database, a broker, a bridge or the built app.
// They need none of those to be up, so the fast loop stays fast; the rest run
// in the full `vitest run`. Found by following imports, so a test that starts
// to use the database leaves the unit set by itself.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Reaching one of these makes a test more than a unit test. */
const HEAVY = new Set([
  "lib/db/client.ts",
  "pkg:pg",
  "pkg:@prisma/client",
  "pkg:mqtt",
  "pkg:aedes",
  "test/support/app-server.ts",
  "test/support/bridge-stack.ts",
  "test/support/broker.ts",
  "test/support/mosquitto.ts",
]);

const IMPORT =
  /(?:^|\n)\s*(import|export)(\s+type)?\s[^'"]*?from\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function resolve(root: string, from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("@/")) base = path.join(root, spec.slice(2));
  else if (spec.startsWith(".")) base = path.join(path.dirname(path.join(root, from)), spec);
  else return `pkg:${spec}`;
  for (const ending of ["", ".ts", ".tsx", "/index.ts", ".mts", ".js", ".mjs"]) {
    if (statSync(base + ending, { throwIfNoEntry: false })?.isFile())
      return path.relative(root, base + ending);
  }
  return null;
}

/** The value imports of a source file (type-only imports load nothing). */
function importsOf(root: string, file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[2] !== undefined) continue;
    const spec = m[3] ?? m[4] ?? m[5];
    const target = spec === undefined ? null : resolve(root, file, spec);
    if (target !== null) found.push(target);
  }
  return found;
}

/** Whether a test file (a path relative to `root`) is a unit test. */
export function isUnitTest(root: string, testFile: string): boolean {
  const stack = [testFile];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (HEAVY.has(file)) return false;
    if (visited.has(file) || file.startsWith("pkg:")) continue;
    visited.add(file);
    stack.push(...importsOf(root, file));
  }
  return true;
}

/** The unit tests among the test files under `dirs` of `root`. */
export function unitTests(root: string, dirs: readonly string[]): string[] {
  return dirs
    .flatMap((dir) =>
      existsSync(path.join(root, dir))
        ? readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" }).map((f) =>
            path.join(dir, f),
          )
        : [],
    )
    .filter((f) => f.endsWith(".test.ts") && !f.includes("node_modules"))
    .filter((f) => isUnitTest(root, f))
    .sort();
}
