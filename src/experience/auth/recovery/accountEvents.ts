/**
 * Records an account-level event. Users are global but the event log is per tenant, so the event is appended
 * once to every tenant the user belongs to (in one call, so tenant counters lock in a fixed order). A user with
 * no membership has no tenant log to write to, and the event is not recorded.
 */
import type { Kysely } from 'kysely';
import { appendEvents } from '../../../data/events/eventLog.ts';
import type { Database } from '../../../data/store/schema.ts';

/** Appends `name` for `userId` to each of the user's tenants; returns how many were written. */
export async function recordAccountEvent(
  db: Kysely<Database>,
  userId: string,
  name: string,
  data: Readonly<Record<string, unknown>> = {},
): Promise<number> {
  const tenants = await db.selectFrom('memberships').select('tenant_id').where('user_id', '=', userId).execute();
  const events = tenants.map((t) => ({
    tenantId: t.tenant_id,
    name,
    subjectId: userId,
    actor: `user:${userId}`,
    data,
  }));
  await appendEvents(db, events);
  return events.length;
}
