import ipaddr from 'ipaddr.js';

export interface AddressClass {
  /** True only for global unicast addresses. */
  readonly isPublic: boolean;
  /** ipaddr.js range name (`unicast`, `private`, `loopback`, `linkLocal`, `uniqueLocal`, `carrierGradeNat`, …). */
  readonly range: string;
  /** The address as checked: IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is unwrapped to IPv4 first. */
  readonly normalized: string;
}

/**
 * Decides whether an IP address is on the public internet. Only ipaddr.js's `unicast` range passes: private (10/8,
 * 172.16/12, 192.168/16), loopback, link-local (169.254/16 — cloud metadata — and fe80::/10), unique-local
 * (fc00::/7), CGNAT (100.64/10), multicast, broadcast, unspecified, reserved and documentation ranges are refused,
 * and so are the IPv6 transition ranges (NAT64, 6to4, Teredo) because they can embed a private IPv4 address.
 * Unparseable input is not public.
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return { isPublic: false, range: 'invalid', normalized: bare };
  const parsed = ipaddr.process(bare);
  const range = parsed.range();
  return { isPublic: range === 'unicast', range, normalized: parsed.toString() };
}
