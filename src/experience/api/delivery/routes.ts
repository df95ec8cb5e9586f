/**
 * The delivery API: public, read-only access to published content, for sites and CDNs (mounted at `/cdn/v1`):
 *
 *   GET /:tenant/entries/:idOrSlug?type    one published entry, by id or by slug
 *   GET /:tenant/entries?type&limit&cursor published entries, newest publication first (keyset pages)
 *   GET /:tenant/search?q&type&limit&cursor full-text search over published entries, best first (keyset pages)
 *
 * No token: only published copies are ever read (drafts and unpublished entries answer 404). Answers carry
 * `Cache-Control: public, max-age=0, s-maxage=60, stale-while-revalidate=300` (browsers revalidate, shared caches
 * keep a minute and may serve stale while refetching), a strong ETag (If-None-Match answers 304) and
 * `Surrogate-Key` (`tenant-<id> entry-<id> type-<type>`), so a CDN can purge by key when the
 * `entry.published` / `entry.unpublished` webhooks arrive.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { listPublishedEntries } from '../../../content/entries/publishedEntryLister.ts';
import { getPublishedEntry } from '../../../content/entries/publishedEntryReader.ts';
import { searchPublishedEntries } from '../../../content/entries/publishedEntrySearcher.ts';
import { entryEtag } from '../../../content/entries/types.ts';
import { presentPublishedEntry } from '../../../content/presenters/entryPresenter.ts';
import { GalleyError } from '../../errors/errors.ts';
import { problemResponse } from '../../http/problem.ts';
import { notModified, tenantIdOf } from '../entries/access.ts';
import type { ApiContext } from '../index.ts';
import {
  DeliveryEntryParams,
  DeliveryListQuery,
  DeliveryOneQuery,
  DeliverySearchQuery,
  DeliveryTenantParams,
  PublishedEntryPage,
  PublishedEntrySchema,
  PublishedSearchPage,
} from './schemas.ts';

/** Cache-Control of every successful delivery answer. */
export const DELIVERY_CACHE_CONTROL = 'public, max-age=0, s-maxage=60, stale-while-revalidate=300';
const TAGS = ['delivery'];
const NOT_FOUND = { 404: problemResponse('No such tenant, or no published entry with that id or slug') };

function cacheHeaders(reply: FastifyReply, etag: string, keys: readonly string[]): void {
  reply.header('cache-control', DELIVERY_CACHE_CONTROL);
  reply.header('etag', etag);
  reply.header('surrogate-key', keys.join(' '));
  reply.header('vary', 'accept-encoding');
}

/** A list's strong ETag: the hash of what it says (the fingerprint of its items and next cursor). */
function listEtag(fingerprint: unknown): string {
  return `"l.${createHash('sha256').update(JSON.stringify(fingerprint)).digest('base64url').slice(0, 27)}"`;
}

/** Registers the delivery routes (mounted under `/cdn/v1`). */
export const deliveryRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { plane }) => {
  const store = plane.store;

  async function tenantOf(slug: string): Promise<string> {
    const id = await tenantIdOf(store.db, slug);
    if (id === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'tenant not found');
    return id;
  }

  app.get(
    '/:tenant/entries/:idOrSlug',
    {
      schema: {
        tags: TAGS,
        summary: 'One published entry, by id or slug (public, cacheable)',
        params: DeliveryEntryParams,
        querystring: DeliveryOneQuery,
        response: { 200: PublishedEntrySchema, 304: { description: 'Not modified' }, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const tenantId = await tenantOf(request.params.tenant);
      const entry = await getPublishedEntry({
        store,
        tenantId,
        idOrSlug: request.params.idOrSlug,
        ...(request.query.type === undefined ? {} : { type: request.query.type }),
      });
      const etag = entryEtag(entry);
      cacheHeaders(reply, etag, [`tenant-${tenantId}`, `entry-${entry.id}`, `type-${entry.type}`]);
      if (notModified(request, etag)) return reply.code(304).send();
      return presentPublishedEntry(entry, request.params.tenant);
    },
  );

  app.get(
    '/:tenant/entries',
    {
      schema: {
        tags: TAGS,
        summary: 'Published entries, newest publication first (public, cacheable)',
        params: DeliveryTenantParams,
        querystring: DeliveryListQuery,
        response: {
          200: PublishedEntryPage,
          304: { description: 'Not modified' },
          400: problemResponse('Bad cursor or limit (GALLEY_VALIDATION_FAILED)'),
          ...NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const tenantId = await tenantOf(request.params.tenant);
      const q = request.query;
      const page = await listPublishedEntries({
        store,
        tenantId,
        ...(q.type === undefined ? {} : { type: q.type }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
      const body = { items: page.items.map((e) => presentPublishedEntry(e, request.params.tenant)), next: page.next };
      // A list's strong ETag is the hash of what it says (ids, versions and the next cursor).
      const etag = listEtag([body.items.map((e) => [e.id, e.version]), body.next]);
      const keys = [`tenant-${tenantId}`, ...(q.type === undefined ? [] : [`type-${q.type}`])];
      cacheHeaders(reply, etag, [...keys, ...page.items.map((e) => `entry-${e.id}`)]);
      if (notModified(request, etag)) return reply.code(304).send();
      return body;
    },
  );

  app.get(
    '/:tenant/search',
    {
      schema: {
        tags: TAGS,
        summary: 'Full-text search over published entries, best first (public, cacheable)',
        params: DeliveryTenantParams,
        querystring: DeliverySearchQuery,
        response: {
          200: PublishedSearchPage,
          304: { description: 'Not modified' },
          400: problemResponse('Unparseable query, bad cursor or limit (GALLEY_VALIDATION_FAILED)'),
          ...NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const tenantId = await tenantOf(request.params.tenant);
      const q = request.query;
      const page = await searchPublishedEntries({
        store,
        search: plane.publishedSearch,
        tenantId,
        q: q.q,
        ...(q.type === undefined ? {} : { type: q.type }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      });
      const body = {
        items: page.items.map((hit) => ({
          ...presentPublishedEntry(hit.entry, request.params.tenant),
          snippet: hit.snippet,
          score: hit.score,
        })),
        next: page.next,
      };
      // Same policy as the list: the ETag hashes what the answer says, snippets and order included.
      const etag = listEtag([body.items.map((e) => [e.id, e.version, e.snippet]), body.next]);
      const keys = [`tenant-${tenantId}`, ...(q.type === undefined ? [] : [`type-${q.type}`])];
      cacheHeaders(reply, etag, [...keys, ...page.items.map((hit) => `entry-${hit.entry.id}`)]);
      if (notModified(request, etag)) return reply.code(304).send();
      return body;
    },
  );
};
