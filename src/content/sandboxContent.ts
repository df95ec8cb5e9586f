/**
 * Content of the sandbox tenant: the `article` type (title, body, tags, slug). Idempotent: defining the same type
 * again records nothing.
 */
import type { Store } from '../data/store/port.ts';
import { systemPrincipal } from './policies/systemPrincipal.ts';
import { defineContentType } from './types/contentTypeDefiner.ts';
import type { ContentTypeDefinition, FieldDefinition } from './types/types.ts';

/** The sandbox's `article` type. */
export const ARTICLE_TYPE: ContentTypeDefinition = Object.freeze({
  name: 'article',
  label: 'Article',
  fields: Object.freeze<FieldDefinition[]>([
    { name: 'title', kind: 'text', required: true, label: 'Title', maxLength: 300 },
    { name: 'body', kind: 'richtext', label: 'Body' },
    { name: 'tags', kind: 'tags', label: 'Tags' },
    { name: 'slug', kind: 'slug', label: 'Slug' },
  ]),
});

/** Makes sure tenant `tenantId` has the `article` type. */
export async function seedSandboxContent(store: Store, tenantId: string): Promise<void> {
  await defineContentType({ store, actor: systemPrincipal(tenantId), tenantId, definition: ARTICLE_TYPE });
}
