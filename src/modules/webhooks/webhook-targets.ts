import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * True for an address on the public internet. Loopback, private, link-local (cloud metadata lives
 * at 169.254.169.254), unique-local, carrier-grade NAT, multicast and reserved ranges are not; an
 * IPv4 address wrapped in IPv6 is judged as the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed instanceof ipaddr.IPv6) {
    if (parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
    // IPv4-compatible (::a.b.c.d, deprecated) embeds an IPv4 address that ipaddr.js calls unicast.
    else if (parsed.parts.slice(0, 6).every((part) => part === 0)) return false;
  }
  return parsed.range() === 'unicast';
}

/** The URL's host as DNS or an address parser wants it: an IPv6 literal without its brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Why a webhook URL is refused, or null when it may be used. */
export async function refuseTarget(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https URLs can receive webhooks';
  if (url.username || url.password) return 'Credentials in the URL are not allowed; authenticate with the signature';
  if (allowPrivate) return null;
  const host = hostOf(url);
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await lookupAll(host, { all: true })).map((entry) => entry.address);
  } catch {
    return `The host ${host} does not resolve`;
  }
  const blocked = addresses.find((address) => !isPublicAddress(address));
  return blocked ? privateRefusal(host, blocked) : null;
}

/** Why a delivery or subscription to a non-public address is refused, naming the setting that allows it. */
export const privateRefusal = (host: string, address: string) =>
  `${host === address ? address : `${host} resolves to ${address}, which`} is a loopback, private, link-local or otherwise non-public address; an operator can allow such targets with WEBHOOK_ALLOW_PRIVATE_TARGETS=true`;

/**
 * The DNS lookup used for deliveries: the address is checked after resolution, on the connection
 * actually made, so a name that changes its answer after the URL was accepted is still refused.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const blocked = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address));
      if (blocked) {
        return callback(new Error(privateRefusal(hostname, blocked.address)), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
