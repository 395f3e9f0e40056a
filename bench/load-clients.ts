/**
 * The batch-ingest load, in a process of its own as real clients would be, so that building
 * and sending requests does not take the stack's event loop. Started by throughput.ts:
 *
 *   BENCH_DEVICE_TOKEN=… node bench/load-clients.ts <graphql url> <clients> <batch size> <duration ms> [<fleet devices>]
 *
 * With a number of fleet devices, the readings are the scale phase's fleet's (bench/fleet.ts):
 * its first devices in turn, each sending one reading of each fleet metric per batch, with
 * values no fleet rule breaches. Without, each client sends metric `bench.load` for 20
 * devices of its own, which no rule watches.
 * The device token comes in the environment, never on the command line (where `ps` shows
 * it), and must cover the device ids starting with `demo-` (the stack's `DemoDeviceToken`
 * does), as a gateway's credential covers its devices.
 * Prints one JSON line: calls, accepted, rejected, failed calls, and the epoch-ms times of
 * the first call and the last acknowledgement.
 */
import { randomUUID } from 'node:crypto';
import { tokenFromParent } from './child-process.ts';
import { BENCH_DEVICE_PREFIX } from './credentials.ts';
import { FLEET_METRICS, fleetDeviceId, NORMAL_VALUES } from './fleet.ts';
import { graphqlRequest } from './support.ts';

const INGEST_MANY = `mutation IngestMany($input: [EventInput!]!) { ingestEvents(input: $input) { accepted rejected } }`;

const [url = '', clientsArg, batchArg, durationArg, fleetArg] = process.argv.slice(2);
const deviceToken = tokenFromParent('deviceToken');
const fleetDevices = fleetArg === undefined ? 0 : Number(fleetArg);
const clients = Number(clientsArg);
const batchSize = Number(batchArg);
const durationMs = Number(durationArg);
if (!url || !deviceToken || !(clients > 0) || !(batchSize > 0) || !(durationMs > 0)) {
  throw new Error(
    'Usage: BENCH_DEVICE_TOKEN=<device token> node bench/load-clients.ts <url> <clients> <batch size> <duration ms>',
  );
}

const runId = randomUUID().slice(0, 8);
const totals = {
  calls: 0,
  accepted: 0,
  rejected: 0,
  failedCalls: 0,
  startedAt: Date.now(),
  lastAckAt: 0,
};
const deadline = totals.startedAt + durationMs;

/** The next batch of fleet readings: each client takes the fleet's devices in turn. */
let nextFleetDevice = 0;
function fleetBatch(): { deviceId: string; metric: string; value: number }[] {
  return Array.from({ length: batchSize }, (_, i) => {
    const device = (nextFleetDevice + Math.floor(i / FLEET_METRICS.length)) % fleetDevices;
    if (i === batchSize - 1) nextFleetDevice = (device + 1) % fleetDevices;
    const span = NORMAL_VALUES.high - NORMAL_VALUES.low;
    return {
      deviceId: fleetDeviceId(device),
      metric: FLEET_METRICS[i % FLEET_METRICS.length] as string,
      value: NORMAL_VALUES.low + ((device + i) % (span * 10)) / 10,
    };
  });
}

async function client(clientIndex: number): Promise<void> {
  let sequence = 0;
  while (Date.now() < deadline) {
    const input =
      fleetDevices > 0
        ? fleetBatch()
        : Array.from({ length: batchSize }, (_, i) => ({
            deviceId: `${BENCH_DEVICE_PREFIX}load-${runId}-${clientIndex}-${i % 20}`,
            metric: 'bench.load',
            value: (sequence += 1) % 100,
          }));
    totals.calls += 1;
    try {
      const result = await graphqlRequest<{
        ingestEvents: { accepted: number; rejected: number };
      }>(url, deviceToken, INGEST_MANY, { input });
      if (result.status !== 200 || !result.data) {
        totals.failedCalls += 1;
        continue;
      }
      totals.accepted += result.data.ingestEvents.accepted;
      totals.rejected += result.data.ingestEvents.rejected;
      totals.lastAckAt = Date.now();
    } catch {
      totals.failedCalls += 1;
    }
  }
}

const ticker = setInterval(
  () =>
    process.stderr.write(
      `[bench] throughput: ${totals.accepted.toLocaleString('en-US')} readings acknowledged\n`,
    ),
  5000,
);
await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
clearInterval(ticker);
// Exit at once: idle keep-alive sockets would otherwise hold the process for seconds,
// delaying the moment the parent takes as the end of the load.
process.stdout.write(`${JSON.stringify(totals)}\n`, () => process.exit(0));
