// The READY / STATUS / RESTARTS cells of `kubectl get pods` (printers.go printPod), so CrashLoopBackOff and
// ContainerCreating show exactly as kubectl prints them.
import type { KubeObject } from '../scenario/schema.ts';
import { ageOf } from './human-time.ts';
import { asRecord } from './resources.ts';

export interface PodStatusCells {
  ready: string;
  reason: string;
  restarts: string;
}

const rec = asRecord;
const arr = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.map(rec) : []);

export function podStatusCells(pod: KubeObject): PodStatusCells {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const total = arr(spec['containers']).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason = typeof status['reason'] === 'string' && status['reason'] !== '' ? status['reason'] : typeof status['phase'] === 'string' ? status['phase'] : 'Pending';
  const noteRestart = (c: Record<string, unknown>): void => {
    const finished = rec(rec(c['lastState'])['terminated'])['finishedAt'];
    if (typeof finished === 'string') lastRestart = Math.max(lastRestart, Date.parse(finished) || 0);
  };

  const initStatuses = arr(status['initContainerStatuses']);
  const initCount = arr(spec['initContainers']).length;
  let initializing = false;
  for (const [i, c] of initStatuses.entries()) {
    restarts += typeof c['restartCount'] === 'number' ? c['restartCount'] : 0;
    noteRestart(c);
    const state = rec(c['state']);
    const terminated = state['terminated'] === undefined ? undefined : rec(state['terminated']);
    const waiting = state['waiting'] === undefined ? undefined : rec(state['waiting']);
    if (terminated !== undefined && terminated['exitCode'] === 0) continue;
    initializing = true;
    if (terminated !== undefined) {
      reason = typeof terminated['reason'] === 'string' && terminated['reason'] !== ''
        ? `Init:${terminated['reason']}`
        : typeof terminated['signal'] === 'number' && terminated['signal'] !== 0
          ? `Init:Signal:${terminated['signal']}` : `Init:ExitCode:${String(terminated['exitCode'])}`;
    } else if (waiting !== undefined && typeof waiting['reason'] === 'string' && waiting['reason'] !== '' && waiting['reason'] !== 'PodInitializing') {
      reason = `Init:${waiting['reason']}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    break;
  }

  const initializedTrue = arr(status['conditions']).some((c) => c['type'] === 'Initialized' && c['status'] === 'True');
  if (!initializing || initializedTrue) {
    restarts = 0;
    let hasRunning = false;
    const statuses = arr(status['containerStatuses']);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] ?? {};
      restarts += typeof c['restartCount'] === 'number' ? c['restartCount'] : 0;
      noteRestart(c);
      const state = rec(c['state']);
      const waiting = rec(state['waiting']);
      const terminated = state['terminated'] === undefined ? undefined : rec(state['terminated']);
      if (typeof waiting['reason'] === 'string' && waiting['reason'] !== '') reason = waiting['reason'];
      else if (terminated !== undefined && typeof terminated['reason'] === 'string' && terminated['reason'] !== '') reason = terminated['reason'];
      else if (terminated !== undefined) {
        reason = typeof terminated['signal'] === 'number' && terminated['signal'] !== 0
          ? `Signal:${terminated['signal']}` : `ExitCode:${String(terminated['exitCode'])}`;
      } else if (c['ready'] === true && state['running'] !== undefined) {
        hasRunning = true;
        ready += 1;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = arr(status['conditions']).some((c) => c['type'] === 'Ready' && c['status'] === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata['deletionTimestamp'] !== undefined) reason = status['reason'] === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartText = restarts !== 0 && lastRestart > 0
    ? `${restarts} (${ageOf(new Date(lastRestart).toISOString())} ago)`
    : String(restarts);
  return { ready: `${ready}/${total}`, reason, restarts: restartText };
}
