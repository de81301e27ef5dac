/**
 * SSRF guard for webhook endpoint URLs: a tenant must not make the server call its own network.
 * The host is resolved and every address checked when the endpoint is saved, and again at each
 * delivery through the socket's own lookup (so a DNS answer that changes after the check — DNS
 * rebinding — is caught where the connection is made). WEBHOOK_ALLOW_PRIVATE_URLS lifts the rule.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { DomainError, validationError } from '../domain/errors';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 of any IPv4 (could reach a private one)
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** Private, loopback, link-local or otherwise non-public (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export const privateUrlRefused = (url: string, address: string) =>
  validationError('webhook_url_private', `the URL's host resolves to a private, loopback or link-local address (${address}); webhooks go to public addresses only`, { field: 'url', value: url, address });

/** A well-formed absolute http(s) URL without credentials; returns it parsed. */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError('invalid_url', 'url must be an absolute http or https URL', { field: 'url', value: url });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw validationError('invalid_url', 'url must use http or https', { field: 'url', value: url });
  if (parsed.username || parsed.password) throw validationError('invalid_url', 'url must not carry credentials', { field: 'url' });
  if (!parsed.hostname) throw validationError('invalid_url', 'url must name a host', { field: 'url', value: url });
  return parsed;
}

const hostOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1');

function resolveAll(host: string): Promise<LookupAddress[]> {
  if (isIP(host)) return Promise.resolve([{ address: host, family: isIP(host) }]);
  return new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/** At save time: the URL is well formed and (unless allowed) its host resolves to public addresses only. */
export async function assertWebhookUrl(url: string, allowPrivate: boolean): Promise<void> {
  const parsed = parseWebhookUrl(url);
  if (allowPrivate) return;
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(hostOf(parsed));
  } catch (err) {
    throw validationError('webhook_url_unresolvable', `the URL's host does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { field: 'url', value: url });
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw privateUrlRefused(url, bad.address);
}

/** For http.request's `lookup`: resolves as usual, then refuses private addresses (unless allowed). */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new DomainError('validation', 'webhook_url_private', `refused: ${hostname} resolves to a private address (${bad.address})`), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
