/**
 * Queue spans, so that one trace runs from the API through the queue into the worker:
 *
 * - `enqueue` under an active trace opens a PRODUCER span `send <queue>` (when the parent records) and stores the
 *   trace context in the job's `traceContext` (always, sampled or not, so the worker makes the same decision). A
 *   caller that passes its own `traceContext` keeps it.
 * - every attempt of a handler runs in a CONSUMER span `process <queue>`, child of the producer span extracted
 *   from the job (a root span when the job carries none), with the job id and attempt number.
 *
 * Attributes follow the messaging conventions (`messaging.system`, `messaging.operation.type`,
 * `messaging.destination.name`, `messaging.message.id`); payloads are never recorded.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { EnqueueOptions, Job, JobHandler, Queue, WorkerOptions } from '../../data/queue/port.ts';
import { activeTracer, currentTraceCarrier, recordFailure } from './spans.ts';

/** Attribute names of the messaging conventions (incubating in semantic-conventions 1.45). */
const MESSAGING = Object.freeze({
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
});

/** Enqueues with the active trace context in the job, inside a producer span when the trace records. */
async function tracedEnqueue<P>(
  queue: Queue,
  system: string,
  name: string,
  payload: P,
  options: EnqueueOptions | undefined,
): ReturnType<Queue['enqueue']> {
  const tracer = activeTracer();
  const parent = trace.getActiveSpan();
  if (tracer === undefined || parent === undefined || options?.traceContext !== undefined) {
    return queue.enqueue(name, payload, options);
  }
  if (!parent.isRecording()) return queue.enqueue(name, payload, { ...options, traceContext: currentTraceCarrier() });
  const span = tracer.startSpan(`send ${name}`, {
    kind: SpanKind.PRODUCER,
    attributes: { [MESSAGING.system]: system, [MESSAGING.operationType]: 'send', [MESSAGING.destination]: name },
  });
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  try {
    const result = await queue.enqueue(name, payload, { ...options, traceContext: Object.freeze(carrier) });
    span.setAttributes({ [MESSAGING.messageId]: result.id, 'galley.queue.created': result.created });
    return result;
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The handler run inside a consumer span continuing the job's trace. */
function tracedHandler<P, R>(system: string, name: string, handler: JobHandler<P, R>): JobHandler<P, R> {
  return (job: Job<P>, signal: AbortSignal) => {
    const tracer = activeTracer();
    if (tracer === undefined) return handler(job, signal);
    const parent = job.traceContext === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, job.traceContext);
    const span = tracer.startSpan(
      `process ${name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [MESSAGING.system]: system,
          [MESSAGING.operationType]: 'process',
          [MESSAGING.destination]: name,
          [MESSAGING.messageId]: job.id,
          'galley.job.attempt': job.attempt,
        },
      },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        return await handler(job, signal);
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  };
}

/** The queue with producer and consumer spans; `system` names the backend (`galley.sqlite`, `bullmq`). */
export function traceQueue(queue: Queue, system: string): Queue {
  return {
    enqueue<P>(name: string, payload: P, options?: EnqueueOptions) {
      return tracedEnqueue(queue, system, name, payload, options);
    },
    process<P, R>(name: string, handler: JobHandler<P, R>, options: WorkerOptions) {
      return queue.process(name, tracedHandler(system, name, handler), options);
    },
    status<R>(jobId: string) {
      return queue.status<R>(jobId);
    },
    cancel: (jobId) => queue.cancel(jobId),
    stats: (name) => queue.stats(name),
    deadLetters: (name, limit) => queue.deadLetters(name, limit),
    retryDeadLetter: (jobId) => queue.retryDeadLetter(jobId),
    ping: () => queue.ping(),
    close: (graceMs) => queue.close(graceMs),
  };
}
