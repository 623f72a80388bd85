// Linux /proc look-ups shared by the supervisor, the benchmarks and tests:
// who is listening on a port, and whether a process still exists.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Whether a signal can reach `pid` (kill 0): it exists and is ours to signal. */
export function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The inodes of TCP sockets listening on `port`, from /proc/net/tcp{,6}; none elsewhere. */
export function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN.
      if (local === undefined || cols[3] !== "0A") continue;
      if (Number.parseInt(local.split(":")[1] ?? "", 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The process holding one of these socket inodes open, among those this user may inspect. */
export function socketHolder(inodes: ReadonlySet<string>): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return Number(entry);
    }
  }
  return undefined;
}
