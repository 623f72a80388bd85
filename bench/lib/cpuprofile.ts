// Reads the .cpuprofile files `node --cpu-prof` writes and says where the time
// went: self time by function and by package, idle and GC separated out.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where --profile runs keep their .cpuprofile files: large, and not for the repository (.data is ignored). */
export const PROFILES_DIR = ".data/bench-profiles";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  gcMs: number;
  topFunctions: { name: string; selfMs: number; pct: number }[];
  topPackages: { name: string; selfMs: number; pct: number }[];
}

/** Which code a frame belongs to: an npm package, Node itself, the app's own bundle, or V8. */
function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node:internals";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    const name = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    // Next bundles its dependencies under next/dist/compiled/<pkg>.
    if (name === "next" && rest[1] === "dist" && rest[2] === "compiled")
      return `next (compiled ${rest[3]})`;
    return name ?? url;
  }
  if (url.includes("/.next/")) return "app bundle (.next)";
  return path.basename(url);
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === "(idle)") {
      idle += us;
      continue;
    }
    if (functionName === "(garbage collector)") gc += us;
    const where =
      url === ""
        ? ""
        : ` ${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/\.next\//, ".next/")}:${lineNumber + 1}`;
    const key = `${functionName || "(anonymous)"}${where}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        pct: Math.round((us / busy) * 1000) / 10,
      }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    gcMs: Math.round(gc / 1000),
    topFunctions: ranked(fns),
    topPackages: ranked(pkgs),
  };
}

/** Summaries of every profile in a folder (one per process that ran with --cpu-prof). */
export function summariseProfiles(dir: string, top = 15): ProfileSummary[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  } catch {
    return [];
  }
  return files
    .map((f) => summariseProfile(path.join(dir, f), top))
    .sort((a, b) => b.totalMs - b.idleMs - (a.totalMs - a.idleMs));
}

export function profileText(s: ProfileSummary): string {
  const busy = s.totalMs - s.idleMs;
  const lines = [
    `${path.basename(s.file)}: ${busy} ms busy of ${s.totalMs} ms (GC ${s.gcMs} ms)`,
    "  by package (self time, % of busy):",
    ...s.topPackages.map((p) => `    ${String(p.pct).padStart(5)}%  ${p.selfMs} ms  ${p.name}`),
    "  by function:",
    ...s.topFunctions.map((f) => `    ${String(f.pct).padStart(5)}%  ${f.selfMs} ms  ${f.name}`),
  ];
  return lines.join("\n");
}

/** A report note per CPU profile in `dir` (none when the run was not profiled), each headed by `title`. */
export function profileNotes(dir: string | undefined, title: string, top = 12): string[] {
  if (dir === undefined) return [];
  return summariseProfiles(dir, top).map((s) => `${title}\n${profileText(s)}`);
}
