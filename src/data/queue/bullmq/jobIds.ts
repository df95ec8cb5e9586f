/**
 * Job ids of the distributed queue carry their queue: `<queue>.<suffix>`. status() and cancel() receive only
 * an id, and BullMQ keys jobs by queue, so the id itself says where to look (no extra index to keep in step).
 * The suffix is a random UUID, or the sha256 hex of the idempotency key, so the same key in the same queue
 * always names the same job. Neither part contains ':' (BullMQ forbids it in ids and queue names).
 */
import { createHash, randomUUID } from 'node:crypto';

/** Rejects names BullMQ cannot use as a queue. */
export function assertQueueName(queue: string): void {
  if (queue === '' || queue.includes(':'))
    throw new RangeError(`queue name must be non-empty without ':' ("${queue}")`);
}

/** The id of a new job, deterministic when an idempotency key is given. */
export function jobIdFor(queue: string, idempotencyKey: string | undefined): string {
  const suffix =
    idempotencyKey === undefined ? randomUUID() : createHash('sha256').update(idempotencyKey).digest('hex');
  return `${queue}.${suffix}`;
}

/** The queue a job id belongs to, or undefined for ids this adapter did not make. */
export function queueOfJobId(jobId: string): string | undefined {
  const dot = jobId.lastIndexOf('.');
  if (dot <= 0 || dot === jobId.length - 1 || jobId.includes(':')) return undefined;
  return jobId.slice(0, dot);
}
