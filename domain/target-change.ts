import type { WorkMessage, WorkQueue } from './ports.ts';

/**
 * Hands the worker a change of which devices a rule watches (a device's new labels, a rule's
 * new selector) twice: now, and once every worker has surely refreshed its rules and device
 * labels (two refresh intervals, and a second). A worker that read the old ones can still
 * fire for a device that just left; the second pass resolves what the first could not see.
 * Handling the message twice resolves nothing twice: what is resolved is no longer open.
 */
export async function sendTargetChange(
  work: WorkQueue,
  message: WorkMessage,
  refreshMs: number,
): Promise<void> {
  await work.send(message);
  await work.send(message, Math.min(900, Math.ceil((2 * refreshMs) / 1000) + 1));
}
