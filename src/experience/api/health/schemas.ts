/** TypeBox schemas of the health routes; types are inferred from them. */
import { type Static, Type } from 'typebox';
import { ProblemSchema } from '../../http/problem.ts';

/** State of one readiness check. */
export const CheckStateSchema = Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('timeout')]);

/** Per-dependency readiness, keyed by probe name (store, kv, queue). */
export const ChecksSchema = Type.Record(Type.String(), CheckStateSchema);

/** `GET /healthz` 200 body. */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') }, { description: 'The process is alive' });

/** `GET /readyz` 200 body. */
export const ReadinessSchema = Type.Object(
  { status: Type.Literal('ready'), checks: ChecksSchema },
  { description: 'Every dependency answered' },
);

/** `GET /readyz` 503 body: a GALLEY_NOT_READY problem with the per-check states as the `checks` member. */
export const NotReadyProblemSchema = Type.Intersect([ProblemSchema, Type.Object({ checks: ChecksSchema })]);

/** Liveness body. */
export type Liveness = Static<typeof LivenessSchema>;
/** Readiness body. */
export type Readiness = Static<typeof ReadinessSchema>;
