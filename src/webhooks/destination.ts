/**
 * Where a webhook may deliver (API.md v1.2): `https://` to a public host, never to an IP literal in a private,
 * loopback, link-local or unique-local range, nor to a cloud metadata host, nor with user info in the URL.
 * Local development may allow `http://` (and `https://`) to 127.0.0.1 and localhost. The URL parser has
 * already turned every IPv4 spelling (`2130706433`, `0x7f.1`) and IPv6 spelling into its canonical form.
 */

/** Host names that answer with a cloud instance's credentials. */
const METADATA_HOSTS = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "metadata.azure.com",
  "instance-data",
  "instance-data.ec2.internal",
]);

/** IPv4 blocks that are not the public internet: [first octets as a number, prefix length]. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, where metadata services answer
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // protocol assignments
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and broadcast
];

const v4Number = (dotted: string): number | null => {
  const parts = dotted.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

function blockedV4(n: number): boolean {
  return BLOCKED_V4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(n / size) === Math.floor(v4Number(base)! / size);
  });
}

/**
 * The eight 16-bit groups of an IPv6 address as the URL parser writes it (hex groups, `::` at most once,
 * never a dotted IPv4 tail), or null.
 */
function v6Groups(address: string): number[] | null {
  const [head, rest, extra] = address.split("::");
  if (extra !== undefined) return null;
  const parse = (part: string | undefined) => (part ? part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const before = parse(head);
  const after = parse(rest);
  if ([...before, ...after].some(Number.isNaN)) return null;
  const missing = 8 - before.length - after.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return null;
  return [...before, ...new Array<number>(missing).fill(0), ...after];
}

function blockedV6(groups: number[]): boolean {
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroUntil = (i: number) => groups.slice(0, i).every((g) => g === 0);
  if (zeroUntil(7) && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (zeroUntil(5) && g5 === 0xffff) return blockedV4(g6 * 65536 + g7); // IPv4-mapped
  if (zeroUntil(6)) return blockedV4(g6 * 65536 + g7); // IPv4-compatible (deprecated)
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x64 && groups[1] === 0xff9b) return blockedV4(g6 * 65536 + g7); // NAT64 of an IPv4 address
  return false;
}

/** Why the host of a URL is not a public destination, or null when it is. */
export function privateHostReason(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (METADATA_HOSTS.has(host)) return "must not be a cloud metadata host";
  if (host === "localhost" || host.endsWith(".localhost")) return "must not be a loopback host";
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = v6Groups(host.slice(1, -1));
    if (groups === null || blockedV6(groups)) return "must not be a private, loopback, link-local or unique-local address";
    return null;
  }
  const v4 = v4Number(host);
  if (v4 !== null && blockedV4(v4)) return "must not be a private, loopback or link-local address";
  return null;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost"]);

/**
 * Why a webhook may not deliver to `raw`, or null. `allowLocal` is the deployment's
 * `ALLOW_INSECURE_WEBHOOKS=true`: http:// and https:// to 127.0.0.1 and localhost, for local development.
 */
export function destinationRefusal(raw: string, allowLocal: boolean): string | null {
  const url = new URL(raw);
  if (url.username !== "" || url.password !== "") return "must not carry user info (user:password@)";
  if (allowLocal && LOCAL_HOSTS.has(url.hostname) && (url.protocol === "http:" || url.protocol === "https:")) return null;
  if (url.protocol !== "https:") {
    return allowLocal
      ? "must be https://, or http:// to 127.0.0.1 or localhost"
      : "must be https:// (http:// is allowed only for 127.0.0.1 and localhost when ALLOW_INSECURE_WEBHOOKS=true)";
  }
  return privateHostReason(url.hostname);
}
