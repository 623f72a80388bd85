// The server's start refuses a bad setting (instrumentation.ts): better a
// start that stops at once, naming the variable, than requests failing later.
import "server-only";
import { checkConfig } from "../config";

/** Exits with EX_CONFIG (78) and the message of every bad variable on stderr. */
export function exitOnBadConfig(): void {
  try {
    checkConfig();
  } catch (error) {
    console.error(`[config] ${(error as Error).message}`);
    process.exit(78);
  }
}
