// `npm run check`: the fast loop's four checks (lint, format, types, unit
// tests) at once rather than one after another, each one's output printed
// whole when it ends so the four do not interleave. Fails when any fails.
// The full `npm run lint`, `npm run typecheck` and `vitest run` stay as CI
// runs them; this only changes how the quick subset is scheduled.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;

const CHECKS = [
  // Content, not mtime: a checkout or a rebase that leaves a file as it was
  // does not make eslint type-check it again.
  ["eslint", [bin("eslint"), ".", "--cache", "--cache-strategy", "content", "--max-warnings=0"]],
  ["prettier", [bin("prettier"), "--check", ".", "--cache", "--log-level", "warn"]],
  // tsconfig.json has `incremental`: tsc keeps tsconfig.tsbuildinfo between runs.
  ["tsc", [bin("tsc"), "--noEmit"]],
  ["unit tests", [bin("vitest"), "run"], { TESTS: "unit" }],
];

function run([name, [command, ...args], env = {}]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      // Piped output loses colour; keep it when a terminal reads ours.
      env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("error", (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const text = Buffer.concat(output).toString().trimEnd();
      process.stdout.write(`\n── ${name}: ${code === 0 ? "ok" : "FAILED"} (${seconds} s)\n`);
      // A passing run shows only the test counts; a failing one, everything.
      const shown = code === 0 && name === "unit tests" ? text.split("\n").slice(-4) : [];
      if (code !== 0 && text !== "") process.stdout.write(`${text}\n`);
      else if (shown.length > 0) process.stdout.write(`${shown.join("\n")}\n`);
      resolve(code === 0);
    });
  });
}

const results = await Promise.all(CHECKS.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
