/**
 * The latency phase's client, in a process of its own as a real subscriber would be, so that
 * its HTTP calls and websocket frames do not run on the stack's event loop. Started by
 * latency.ts:
 *
 *   BENCH_DEVICE_TOKEN=… BENCH_ID_TOKEN=… node bench/latency-client.ts <graphql url> <realtime url> <metric> <alerts> <warmup> <alert timeout ms> <budget ms>
 *
 * Readings go out with the device token (for device ids starting with `demo-`), the `onAlert`
 * subscription with the user's ID token, as a device and a signed-in console would send them;
 * both come in the environment, never on the command line (where `ps` shows them).
 * Waits for the first alert, warms up until `warmup` alerts in all (the first included) were
 * sent, prints `{"warm":n,"coldMs":[…],"coldMissed":m}` (the deliveries so far, and the
 * warm-up alerts that did not arrive) and waits for a line on stdin (the go-ahead, once the
 * stack has drained and reset its counters); then measures and prints one JSON line with the
 * samples. The warm-up and the measurement may each take up to `budget ms`.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { RealtimeSubscription } from '../local/realtime-client.ts';
import { tokenFromParent } from './child-process.ts';
import { BENCH_DEVICE_PREFIX } from './credentials.ts';
import { expectData, graphqlRequest } from './support.ts';

const INGEST_ONE = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`;
const ON_ALERT = `subscription OnAlert { onAlert { id deviceId eventId } }`;

const [url = '', realtimeUrl = '', metric = '', ...numbers] = process.argv.slice(2);
const deviceToken = tokenFromParent('deviceToken');
const idToken = tokenFromParent('idToken');
const [alerts, warmup, alertTimeoutMs, budgetMs] = numbers.map(Number) as [
  number,
  number,
  number,
  number,
];
if (
  !url ||
  !deviceToken ||
  !idToken ||
  !realtimeUrl ||
  !metric ||
  !(alerts > 0) ||
  !(budgetMs > 0)
) {
  throw new Error('Usage: see the comment at the top of bench/latency-client.ts');
}

const subscription = await RealtimeSubscription.open(
  realtimeUrl,
  url,
  { Authorization: idToken },
  ON_ALERT,
);
const runId = randomUUID().slice(0, 8);

async function sendOne(device: string): Promise<{ ingestMs: number; deliveryMs: number | null }> {
  const id = randomUUID();
  let stopListening = () => {};
  let timer: NodeJS.Timeout | undefined;
  const arrived = new Promise<number | null>((resolve) => {
    stopListening = subscription.onData((frame) => {
      const alert = frame.data.onAlert as { eventId?: string } | undefined;
      if (alert?.eventId === id) resolve(frame.receivedAt);
    });
    timer = setTimeout(() => resolve(null), alertTimeoutMs);
  });
  const started = performance.now();
  const result = await graphqlRequest(url, deviceToken, INGEST_ONE, {
    input: { id, deviceId: `${BENCH_DEVICE_PREFIX}lat-${runId}-${device}`, metric, value: 100 },
  });
  const acknowledged = performance.now();
  expectData(result, 'ingestEvent (latency)');
  const receivedAt = await arrived;
  stopListening();
  clearTimeout(timer);
  return {
    ingestMs: acknowledged - started,
    deliveryMs: receivedAt === null ? null : receivedAt - started,
  };
}

// The worker reloads rules every couple of seconds: wait until the rule fires. Then warm up:
// the stack has just started, and runs slower at first (for its first few hundred alerts, on
// this machine). Those deliveries are kept and reported apart, as the latency after a start.
const coldMs: number[] = [];
let coldMissed = 0;
const firstDeadline = performance.now() + 20_000;
for (let index = 0; coldMs.length === 0 && performance.now() < firstDeadline; index += 1) {
  const { deliveryMs } = await sendOne(`first-${index}`);
  if (deliveryMs !== null) coldMs.push(deliveryMs);
}
const warmDeadline = performance.now() + budgetMs;
for (let index = 1; coldMs.length > 0 && index < warmup; index += 1) {
  if (performance.now() >= warmDeadline) break;
  const { deliveryMs } = await sendOne(`warm-${index}`);
  if (deliveryMs === null) coldMissed += 1;
  else coldMs.push(deliveryMs);
}
process.stdout.write(`${JSON.stringify({ warm: coldMs.length, coldMs, coldMissed })}\n`);
if (coldMs.length === 0) process.exit(0);
await once(process.stdin, 'data');

let framesReceived = 0;
const stopCountingFrames = subscription.onData(() => {
  framesReceived += 1;
});
const deliveryMs: number[] = [];
const ingestMs: number[] = [];
let missed = 0;
const deadline = performance.now() + budgetMs;
for (let index = 0; index < alerts && performance.now() < deadline; index += 1) {
  const sample = await sendOne(String(index));
  ingestMs.push(sample.ingestMs);
  if (sample.deliveryMs === null) missed += 1;
  else deliveryMs.push(sample.deliveryMs);
  if ((index + 1) % 100 === 0)
    process.stderr.write(`[bench] latency: ${index + 1}/${alerts} alerts\n`);
}
// Frames still on their way for the last alert are counted once the stack has drained.
process.stdout.write(`${JSON.stringify({ sent: ingestMs.length })}\n`);
await once(process.stdin, 'data');
stopCountingFrames();
subscription.close();
process.stdout.write(`${JSON.stringify({ deliveryMs, ingestMs, missed, framesReceived })}\n`);
process.exit(0);
