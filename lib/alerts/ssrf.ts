// Outbound requests go only to public addresses unless
// ALERTS_ALLOW_PRIVATE_TARGETS=1: a channel URL must not let an admin (or a
// stolen admin session) probe the loopback, the cloud metadata endpoint or
// the private network from inside. The check runs on the address the
// connection really uses (a lookup hook), so DNS rebinding cannot slip past.
import dns from "node:dns";
import net from "node:net";
import { ServiceError } from "../errors";

const blocked = new net.BlockList();
for (const [address, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(address, prefix, "ipv4");
}
for (const [address, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(address, prefix, "ipv6");
}

/** Loopback, private, link-local, carrier-NAT, multicast or reserved (IPv4-mapped IPv6 too). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return blocked.check(mapped[1], "ipv4");
  const family = net.isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family === 6) return blocked.check(address, "ipv6");
  return true;
}

export class BlockedTargetError extends Error {
  constructor(address: string) {
    super(
      `refused to connect to ${address}: a loopback or private address (set ALERTS_ALLOW_PRIVATE_TARGETS=1 to allow)`,
    );
    this.name = "BlockedTargetError";
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for http.request that refuses private addresses. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad !== undefined) return callback(new BlockedTargetError(bad.address), []);
      if (options.all) return callback(null, list);
      const first = list[0];
      if (first === undefined) return callback(new Error(`no address for ${hostname}`), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * Validates a channel URL when it is saved: http(s) only, no credentials, and
 * no literal private address (hostnames are checked again on every send).
 */
export function checkTargetUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ServiceError("invalid_body", `url: '${raw.slice(0, 100)}' is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ServiceError("invalid_body", "url: only http and https URLs are allowed.");
  }
  if (url.username !== "" || url.password !== "") {
    throw new ServiceError("invalid_body", "url: credentials in the URL are not allowed.");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = net.isIP(host) !== 0;
  if (!allowPrivate && ((literal && isPrivateAddress(host)) || /^localhost$/i.test(host))) {
    throw new ServiceError(
      "invalid_body",
      "url: loopback and private addresses are refused (set ALERTS_ALLOW_PRIVATE_TARGETS=1 to allow them).",
    );
  }
  return url;
}
