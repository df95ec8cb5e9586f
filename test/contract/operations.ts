/**
 * Which contract file covers each in-scope operation of /openapi.json (see sandbox.ts CONTRACT_SCOPE). A new
 * route makes coverage.test.ts fail until it is listed here, and the listed file fails until it really exercises
 * the operation with a documented success.
 */
import type { OperationKey } from './sandbox.ts';

/** Operation → contract file (without `.test.ts`). */
export const CONTRACT_CASES: Readonly<Record<OperationKey, 'entries' | 'webhooks' | 'delivery' | 'ai'>> = {
  'POST /api/v1/tenants/{tenant}/entries': 'entries',
  'GET /api/v1/tenants/{tenant}/entries': 'entries',
  'GET /api/v1/tenants/{tenant}/entries/{id}': 'entries',
  'PATCH /api/v1/tenants/{tenant}/entries/{id}': 'entries',
  'DELETE /api/v1/tenants/{tenant}/entries/{id}': 'entries',
  'POST /api/v1/tenants/{tenant}/entries/{id}/publish': 'entries',
  'POST /api/v1/tenants/{tenant}/entries/{id}/unpublish': 'entries',
  'POST /api/v1/tenants/{tenant}/entries/{id}/schedule': 'entries',
  'POST /api/v1/tenants/{tenant}/entries/{id}/restore': 'entries',
  'GET /api/v1/tenants/{tenant}/entries/{id}/revisions': 'entries',
  'GET /api/v1/tenants/{tenant}/search': 'entries',
  'GET /api/v1/tenants/{tenant}/content-types': 'entries',
  'GET /api/v1/tenants/{tenant}/content-types/{name}': 'entries',
  'PUT /api/v1/tenants/{tenant}/content-types/{name}': 'entries',
  'GET /api/v1/tenants/{tenant}/webhooks': 'webhooks',
  'POST /api/v1/tenants/{tenant}/webhooks': 'webhooks',
  'GET /api/v1/tenants/{tenant}/webhooks/{id}': 'webhooks',
  'PATCH /api/v1/tenants/{tenant}/webhooks/{id}': 'webhooks',
  'DELETE /api/v1/tenants/{tenant}/webhooks/{id}': 'webhooks',
  'GET /api/v1/tenants/{tenant}/webhooks/{id}/deliveries': 'webhooks',
  'POST /api/v1/tenants/{tenant}/webhooks/{id}/deliveries/{deliveryId}/redeliver': 'webhooks',
  'GET /cdn/v1/{tenant}/entries/{idOrSlug}': 'delivery',
  'GET /cdn/v1/{tenant}/entries': 'delivery',
  'GET /cdn/v1/{tenant}/search': 'delivery',
  'POST /api/v1/tenants/{tenant}/entries/{id}/ai/{task}': 'ai',
  'GET /api/v1/tenants/{tenant}/ai/jobs/{job}': 'ai',
  'GET /api/v1/tenants/{tenant}/ai/jobs/{job}/events': 'ai',
  'GET /api/v1/tenants/{tenant}/ai/usage': 'ai',
  'GET /api/v1/tenants/{tenant}/ai/calls': 'ai',
  'PATCH /api/v1/tenants/{tenant}/ai/settings': 'ai',
};

/** The operations assigned to `file`. */
export function operationsOf(file: string): OperationKey[] {
  return Object.entries(CONTRACT_CASES)
    .filter(([, owner]) => owner === file)
    .map(([key]) => key);
}
