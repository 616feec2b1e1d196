import { describe, expect, it } from 'vitest';
import { addressesFromProcNet } from './proc-net-addresses.js';

// As a Debian 12 VM prints them: loopback, one IPv4 address, a link-local and a ULA IPv6 address.
const FIB_TRIE = `Main:
  +-- 0.0.0.0/0 3 0 5
     |-- 0.0.0.0
        /0 universe UNICAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
     +-- 192.0.2.0/24 2 0 2
        +-- 192.0.2.0/30 2 0 2
           |-- 192.0.2.0
              /24 link UNICAST
           |-- 192.0.2.2
              /32 host LOCAL
        |-- 192.0.2.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/0 3 0 5
           |-- 192.0.2.2
              /32 host LOCAL
           |-- 10.20.30.40
              /32 host LOCAL
`;
const IF_INET6 = `fe8000000000000000fc00fffe000001 04 40 20 80     eth0
00000000000000000000000000000001 01 80 10 80       lo
fd000000000000000000000000000002 04 40 00 82     eth0
20010db8000000000000000000000005 02 40 00 00     eth1
`;

describe('addressesFromProcNet', () => {
  it("keeps the host's own addresses once each, without loopback or link-local, IPv6 in short form", () => {
    expect(addressesFromProcNet(FIB_TRIE, IF_INET6)).toEqual(['10.20.30.40', '192.0.2.2', '2001:db8::5', 'fd00::2']);
  });

  it('reads the local table when the main one was cut off, as a reader keeping the end of a router\'s file gives it', () => {
    const cut = FIB_TRIE.slice(FIB_TRIE.indexOf('Local:') - 40);
    expect(addressesFromProcNet(cut, '')).toEqual(['10.20.30.40', '192.0.2.2']);
  });

  it('leaves out broadcast and network entries, and reads nothing from empty files', () => {
    expect(addressesFromProcNet(FIB_TRIE.replace(/\/32 host LOCAL/g, '/32 link BROADCAST'), '')).toEqual([]);
    expect(addressesFromProcNet('', '')).toEqual([]);
  });
});
