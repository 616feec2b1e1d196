/**
 * A Linux host's own IP addresses from the two procfs files that list them, for hosts read over
 * SSH with `cat` alone (no `ip`, whose output differs between iproute2 and BusyBox). The rule is
 * the agent's (`os.networkInterfaces()` in collectFacts): loopback and IPv6 link-local addresses
 * are left out; the rest are returned once each, sorted, IPv6 in its canonical short form.
 *
 * - `/proc/net/fib_trie`: the kernel's routing tries, the main table then the local one; an
 *   address of this host is a `|-- a.b.c.d` line followed by `/32 host LOCAL`. Only the local
 *   table is read when it is there: it holds every such line and is small, while the main table
 *   of a router runs to megabytes (a reader may keep only the end of the file).
 * - `/proc/net/if_inet6`: one address per line, 32 hex digits, then interface index, prefix
 *   length, scope and flags in hex, and the interface name.
 */
export function addressesFromProcNet(fibTrie: string, ifInet6: string): string[] {
  const out = new Set<string>();
  let candidate: string | undefined;
  const lines = fibTrie.split('\n');
  const local = lines.lastIndexOf('Local:');
  for (const line of local >= 0 ? lines.slice(local) : lines) {
    const address = /^[\s|+`-]*--\s+(\d{1,3}(?:\.\d{1,3}){3})\s*$/.exec(line)?.[1];
    if (address !== undefined) {
      candidate = address;
      continue;
    }
    if (candidate !== undefined && /^\s*\/32 host LOCAL\s*$/.test(line) && !candidate.startsWith('127.')) out.add(candidate);
  }
  for (const line of ifInet6.split('\n')) {
    const hex = /^([0-9a-f]{32})\s/i.exec(line.trim())?.[1];
    if (hex === undefined) continue;
    const address = canonicalIpv6(hex);
    if (address === '::1' || /^fe[89ab]/i.test(address)) continue;
    out.add(address);
  }
  return [...out].sort();
}

/** RFC 5952's short form, as the WHATWG URL parser writes an IPv6 host (`2001:db8::1`). */
function canonicalIpv6(hex: string): string {
  const groups = (hex.match(/.{4}/g) ?? []).join(':');
  return new URL(`http://[${groups}]/`).hostname.slice(1, -1);
}
