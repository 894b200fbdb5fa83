import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { UrlPolicy } from '../domain/ports';
import { WebhookUrlRefusedError } from '../domain/webhook';

/**
 * Addresses a webhook must never reach unless WEBHOOKS_ALLOW_PRIVATE=true: the server's own
 * loopback, private networks, link-local (169.254.169.254, the cloud metadata service, is one),
 * carrier-grade NAT (100.100.100.200, another metadata service), and what is not unicast.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Whether the address is one a webhook must not reach (IPv4-mapped IPv6 is judged as its IPv4). */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  // IPv4-compatible (::a.b.c.d) and mapped addresses written in hex are refused outright.
  if (/^::(ffff:)?[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address) || /^::\d+\.\d+\.\d+\.\d+$/.test(address)) return true;
  return BLOCKED.check(address, 'ipv6');
}

export interface ResolvedTarget {
  url: URL;
  /** The address checked, to connect to (DNS rebinding: never resolved a second time). */
  address: string;
  family: 4 | 6;
}

type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Where a webhook may go: http(s), no credentials in the URL, and a host whose every address
 * is allowed. Checked when an endpoint is saved and again at each attempt, which then connects
 * to the address this check approved.
 */
export class AddressPolicy implements UrlPolicy {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolver: Resolver = systemResolver,
  ) {}

  async check(url: string): Promise<void> {
    await this.resolve(url);
  }

  async resolve(raw: string): Promise<ResolvedTarget> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookUrlRefusedError('it is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlRefusedError('use http or https');
    if (url.username || url.password) throw new WebhookUrlRefusedError('credentials in the URL are not allowed');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) throw new WebhookUrlRefusedError('it has no host');
    let addresses: { address: string; family: number }[];
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await this.resolver(host);
      } catch {
        throw new WebhookUrlRefusedError('its host name does not resolve');
      }
    }
    if (addresses.length === 0) throw new WebhookUrlRefusedError('its host name does not resolve');
    if (!this.allowPrivate && addresses.some((a) => isForbiddenAddress(a.address))) {
      throw new WebhookUrlRefusedError('it resolves to a loopback, private, link-local or reserved address');
    }
    const [first] = addresses;
    return { url, address: first!.address, family: first!.family === 6 ? 6 : 4 };
  }
}
