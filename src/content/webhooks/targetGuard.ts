/**
 * Where webhooks may be sent. A subscription URL is http(s) without credentials or fragment, and — unless
 * GALLEY_WEBHOOKS_ALLOW_PRIVATE=true — must not reach a private, loopback, link-local or otherwise
 * non-public address: a CMS that POSTs wherever a tenant admin says is a server-side request forgery tool
 * against the network it runs in (cloud metadata at 169.254.169.254, internal admin ports …).
 *
 * The check runs twice: when a URL is saved (a friendly refusal) and on every delivery, inside the socket's own
 * DNS lookup (`guardedLookup`), so the address that is checked is the address that is connected to — a name
 * that resolved to a public address at save time and to 10.0.0.1 later (DNS rebinding) is still refused.
 */
import { lookup as dnsLookup } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { GalleyError } from '../../experience/errors/errors.ts';

/** Longest accepted subscription URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** A delivery target that resolves to a refused address (or could not be resolved for the check). */
export class WebhookTargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetRefusedError';
  }
}

/** Non-public ranges (RFC 6890 special-purpose registries, plus multicast and reserved space). */
const NON_PUBLIC = new BlockList();
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
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
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
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is not a public unicast address; IPv4-mapped IPv6 is judged as IPv4. */
export function isNonPublicAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return true;
  return NON_PUBLIC.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

/** The URL's host as an IP literal (IPv6 without brackets), or undefined for a name. */
function ipLiteral(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) === 0 ? undefined : host;
}

function invalidUrl(message: string): GalleyError {
  return new GalleyError('GALLEY_VALIDATION_FAILED', `url ${message}`, { errors: [{ field: '/url', message }] });
}

/** Parses a subscription URL: absolute http(s), no credentials or fragment; GALLEY_VALIDATION_FAILED otherwise. */
export function parseWebhookUrl(raw: string): URL {
  const text = raw.trim();
  if (text.length === 0 || text.length > MAX_WEBHOOK_URL_LENGTH) {
    throw invalidUrl(`must be 1–${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidUrl('must use http or https');
  if (url.username !== '' || url.password !== '') throw invalidUrl('must not carry credentials');
  if (url.hash !== '') throw invalidUrl('must not carry a fragment');
  return url;
}

/**
 * Save-time check: resolves the URL's host and refuses (GALLEY_VALIDATION_FAILED on `/url`) when any address is
 * non-public or the name does not resolve. Does nothing when private targets are allowed.
 */
export async function assertPublicTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const literal = ipLiteral(url);
  let addresses: readonly string[];
  if (literal !== undefined) {
    addresses = [literal];
  } else {
    try {
      addresses = (await dnsLookupAsync(url.hostname, { all: true })).map((a) => a.address);
    } catch {
      throw invalidUrl(`host "${url.hostname}" does not resolve`);
    }
  }
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) {
    throw invalidUrl('must not point at a private, loopback or link-local address');
  }
}

/**
 * Delivery-time check of an IP-literal host (sockets skip the lookup for those); throws
 * WebhookTargetRefusedError when refused.
 */
export function assertDeliverableHost(url: URL, allowPrivate: boolean): void {
  const literal = ipLiteral(url);
  if (!allowPrivate && literal !== undefined && isNonPublicAddress(literal)) {
    throw new WebhookTargetRefusedError(`refused non-public address ${literal}`);
  }
}

/**
 * A socket `lookup` that resolves every address of the name and fails with WebhookTargetRefusedError when any
 * is non-public (unless allowed), so the connection only ever goes to an address that passed the check.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      const refused = allowPrivate ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      const first = addresses[0];
      if (refused !== undefined || first === undefined) {
        const what = refused === undefined ? 'no address' : `non-public address ${refused.address}`;
        callback(new WebhookTargetRefusedError(`refused ${hostname}: ${what}`), '', 0);
        return;
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
