/**
 * Reads an AI job for the editor: its state and, once finished, its result. Jobs are only visible to members of
 * the tenant that made them (another tenant's job id answers "not found", like an unknown one); shadow jobs are
 * never shown.
 */
import type { JobState } from '../../data/queue/port.ts';
import type { Principal } from '../../experience/auth/principal.ts';
import { GalleyError } from '../../experience/errors/errors.ts';
import { authorizeAi } from '../aiPolicies.ts';
import type { TaskName } from '../tasks.ts';
import type { AiRuntime } from './aiRuntime.ts';
import { jobOwner } from './callPreparer.ts';
import type { ModelCallResult } from './modelCallJob.ts';

/** An AI job as the API presents it. */
export interface AiJobView {
  readonly id: string;
  readonly task: TaskName;
  /** `queued` (waiting, delayed), `running`, `completed`, `failed` (the job itself failed) or `cancelled`. */
  readonly state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  readonly result?: ModelCallResult;
  readonly error?: string;
}

function stateOf(state: JobState): AiJobView['state'] {
  if (state === 'waiting' || state === 'delayed') return 'queued';
  if (state === 'active') return 'running';
  return state;
}

/** True when a job has reached a final state. */
export function isFinished(view: AiJobView): boolean {
  return view.state === 'completed' || view.state === 'failed' || view.state === 'cancelled';
}

/** Input of readAiJob. */
export interface AiJobReadProps {
  readonly runtime: AiRuntime;
  readonly actor: Principal;
  readonly tenantId: string;
  readonly jobId: string;
}

/** The job; GALLEY_NOT_FOUND for unknown, expired, shadow or other tenants' jobs. */
export async function readAiJob(props: AiJobReadProps): Promise<AiJobView> {
  authorizeAi('ai.job.read', props.actor, { tenantId: props.tenantId });
  const owner = await jobOwner(props.runtime, props.jobId);
  if (owner === undefined || owner.tenantId !== props.tenantId || owner.shadow) {
    throw new GalleyError('GALLEY_NOT_FOUND', 'no such AI job');
  }
  const status = await props.runtime.plane.queue.status<ModelCallResult>(props.jobId);
  if (status === undefined) throw new GalleyError('GALLEY_NOT_FOUND', 'no such AI job');
  return {
    id: props.jobId,
    task: owner.task,
    state: stateOf(status.state),
    ...(status.result === undefined ? {} : { result: status.result }),
    ...(status.error === undefined ? {} : { error: status.error }),
  };
}
