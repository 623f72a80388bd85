// The network an address belongs to, for "what do the dropped clients
// share": an IPv4 /24 (one site, one NAT, one cell) or an IPv6 /48.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function expandIpv6(ip: string): number[] | null {
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const head = parse(halves[0] ?? "");
  const tail = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** "192.0.2.0/24" for 192.0.2.7, "2001:db8:1::/48" for 2001:db8:1:2::9; null when not an address. */
export function networkOf(ip: string | null): string | null {
  if (ip === null) return null;
  const v4 = IPV4.exec(ip);
  if (v4 !== null) {
    const octets = v4.slice(1, 4).map(Number);
    return octets.every((o) => o <= 255) && Number(v4[4]) <= 255
      ? `${octets.join(".")}.0/24`
      : null;
  }
  const groups = ip.includes(":") ? expandIpv6(ip) : null;
  if (groups === null) return null;
  return `${groups
    .slice(0, 3)
    .map((g) => g.toString(16))
    .join(":")}::/48`;
}
