/**
 * The offline/online state machine of a router probe. Pure: no IO.
 * A router is announced offline after `threshold` consecutive failed probes, and online again on the first
 * success after that. Nothing is announced while the state does not change, so a router failing one probe in
 * two (flapping below the threshold) is never announced, and a long outage is announced once.
 * The first success of a router never seen before makes it online silently: it did not come back, it arrived.
 */
export type LivenessState = 'unknown' | 'online' | 'offline';

export interface Liveness {
  state: LivenessState;
  failures: number;
}

export interface LivenessStep extends Liveness {
  event: 'router.offline' | 'router.online' | null;
}

export function nextLiveness(cur: Liveness, ok: boolean, threshold: number): LivenessStep {
  if (ok) {
    return { state: 'online', failures: 0, event: cur.state === 'offline' ? 'router.online' : null };
  }
  const failures = cur.failures + 1;
  if (cur.state !== 'offline' && failures >= threshold) return { state: 'offline', failures, event: 'router.offline' };
  return { state: cur.state, failures, event: null };
}
