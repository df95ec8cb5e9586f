/**
 * `GET /metrics`: the app's registry in the Prometheus text format. Access control, each applied when configured:
 * - `allow`: the client address (`request.ip`, so set Fastify's `trustProxy` when behind a proxy) must fall in
 *   one of the listed CIDR ranges or addresses (`10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`); otherwise 403.
 * - `token`: the request must carry `Authorization: Bearer <token>` (compared in constant time); otherwise 401.
 * With both set, both must hold. With neither, the route is open (embedded, loopback-only deployments).
 * The route is exempt from load shedding (an overloaded process is exactly when a scrape matters) and hidden from
 * the OpenAPI document.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { GalleyError } from '../../experience/errors/errors.ts';
import { SHEDDING_EXEMPT } from '../../experience/http/loadShedding.ts';
import type { GalleyMetrics } from './registry.ts';

/** Path of the scrape endpoint. */
export const METRICS_PATH = '/metrics';

/** Options of metricsRoutePlugin. */
export interface MetricsRouteOptions {
  readonly metrics: GalleyMetrics;
  /** Scrape token expected as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** CIDR ranges or single addresses allowed to scrape. */
  readonly allow?: readonly string[];
}

/**
 * Builds the address matcher of an allow-list; throws on an entry that is not an IP address or CIDR range, so a
 * typo stops start-up instead of silently refusing (or admitting) scrapers.
 */
export function addressMatcher(allow: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of allow) {
    const [address = '', prefix, ...rest] = entry.trim().split('/');
    const version = isIP(address);
    const bits = prefix === undefined ? (version === 4 ? 32 : 128) : Number(prefix);
    const maxBits = version === 4 ? 32 : 128;
    if (version === 0 || rest.length > 0 || !Number.isInteger(bits) || bits < 0 || bits > maxBits) {
      throw new Error(`metrics allow-list entry "${entry}" is not an IP address or CIDR range`);
    }
    list.addSubnet(address, bits, version === 4 ? 'ipv4' : 'ipv6');
  }
  return (raw) => {
    // Dual-stack sockets report IPv4 peers as IPv4-mapped IPv6 (::ffff:10.1.2.3).
    const address = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when the Authorization header carries exactly `Bearer <token>`. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

function metricsRoute(app: FastifyInstance, options: MetricsRouteOptions, done: (error?: Error) => void): void {
  const { metrics } = options;
  const allowed = options.allow === undefined ? undefined : addressMatcher(options.allow);
  const token = options.token === undefined || options.token === '' ? undefined : digest(options.token);

  app.get(
    METRICS_PATH,
    { config: SHEDDING_EXEMPT, schema: { hide: true }, exposeHeadRoute: false },
    async (request, reply) => {
      if (allowed !== undefined && !allowed(request.ip)) {
        throw new GalleyError('GALLEY_FORBIDDEN', 'This address may not scrape metrics');
      }
      if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new GalleyError('GALLEY_UNAUTHENTICATED', 'A valid scrape token is required');
      }
      const body = await metrics.scrape();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
    },
  );
  done();
}

/** Fastify plugin serving `GET /metrics` for one GalleyMetrics. */
export const metricsRoutePlugin: FastifyPluginCallback<MetricsRouteOptions> = metricsRoute;
