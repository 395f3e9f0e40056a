import { type AwsPrices, estimateCost, type IngestRun } from './cost.ts';

/** The cost model's reference fleet (issue 16): what a month of it costs at list prices. */
export const referenceFleet = {
  devices: 10_000,
  metricsPerDevice: 5,
  /** One reading per metric this often, per device. */
  intervalSeconds: 10,
  /** Readings per `ingestEvents` call: one reading of each metric of 20 devices. */
  batchSize: 100,
  rules: 1_000,
  /** The share of readings that breach a rule. */
  breachingShare: 0.01,
} as const;

/** AWS bills a month as 730 hours. */
const HOURS_PER_MONTH = 730;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
const MILLION = 1_000_000;
const GB = 1024 ** 3;
/** The devices table's lastSeenAt granularity (domain/device.ts): one write a minute at most. */
const DEVICE_WRITE_GRANULARITY_SECONDS = 60;

export type BilledService = 'AppSync' | 'Lambda' | 'SQS' | 'DynamoDB' | 'SNS';

/** One part of a service's monthly bill. */
export interface BillLine {
  service: BilledService;
  what: string;
  dollars: number;
}

export interface FleetBill {
  readingsPerMonth: number;
  alertsPerMonth: number;
  lines: BillLine[];
  byService: Record<BilledService, number>;
  total: number;
}

export interface FleetBillInputs {
  prices: AwsPrices;
  /** Non-breaching readings in calls shaped as the fleet sends them (bench/requests.ts). */
  fleetRun: IngestRun;
  /** Non-breaching readings one per call, and breaching ones one per call, each a new alert. */
  singleRun: IngestRun;
  alertRun: IngestRun | null;
  /** Worker instances, each with its own rules: the event source mapping's pollers. */
  workers: number;
  /** The rules table's reads, measured by the scale phase at its larger level; null if not run. */
  rules: {
    /** Read units per worker per minute with steady traffic and no rule changes. */
    refreshReadUnitsPerWorkerMinute: number;
    /** Bytes a cold start's full load read per rule. */
    fullLoadBytesPerRule: number;
    /** Read units one run of the scheduled check spent on rules and episodes. */
    checkReadUnitsPerRun: number;
  } | null;
  /** Days reading blocks are kept (RETENTION_DAYS). */
  retentionDays: number;
}

/**
 * The reference fleet's monthly bill by service, from the usage per reading the request
 * phase counted: the fleet-shaped batches for every reading; the difference between a
 * breaching reading (the latency run: each one a new alert) and a normal one, both one per
 * call, for the 1% that breach; the devices table's writes as its granularity leaves them
 * (one per device per minute) instead of what the short run wrote; the rules' refresh and
 * the scheduled check from the scale phase; the reading blocks' storage over the retention.
 */
export function referenceFleetBill(inputs: FleetBillInputs): FleetBill {
  const { prices, fleetRun, singleRun, alertRun } = inputs;
  const fleet = referenceFleet;
  const readingsPerMonth =
    fleet.devices * fleet.metricsPerDevice * ((HOURS_PER_MONTH * 3600) / fleet.intervalSeconds);
  const alertsPerMonth = readingsPerMonth * fleet.breachingShare;
  const millions = readingsPerMonth / MILLION;
  const wru = prices.dynamodb.onDemandPerMillionWriteRequestUnits / MILLION;
  const rru = prices.dynamodb.onDemandPerMillionReadRequestUnits / MILLION;
  const perReading = estimateCost(fleetRun, prices).perMillion;
  const lines: BillLine[] = [];
  const line = (service: BilledService, what: string, dollars: number) =>
    lines.push({ service, what, dollars });

  line('AppSync', 'ingestEvents calls', perReading.appsync * millions);
  line('Lambda', 'ingest and worker invocations and duration', perReading.lambda * millions);
  line(
    'SQS',
    'sends, and the event source mapping’s receives and deletes',
    perReading.sqs * millions,
  );
  line('SNS', 'publishes of normal readings', perReading.sns * millions);
  const devicesWriteUnits = fleetRun.counts.tables.Devices?.writeUnits ?? 0;
  line(
    'DynamoDB',
    'reading blocks, episodes read, device labels read',
    (perReading.dynamodb / MILLION - (devicesWriteUnits / fleetRun.readings) * wru) *
      readingsPerMonth,
  );
  const deviceWritesPerMonth =
    fleet.devices * ((HOURS_PER_MONTH * 3600) / DEVICE_WRITE_GRANULARITY_SECONDS);
  line('DynamoDB', 'device inventory writes, 1 a device a minute', deviceWritesPerMonth * wru);
  const storedBytesPerReading =
    (fleetRun.counts.tables.ReadingBlocks?.bytesWritten ?? 0) / fleetRun.readings;
  const storedGb =
    (storedBytesPerReading * (readingsPerMonth / (HOURS_PER_MONTH / 24)) * inputs.retentionDays) /
    GB;
  line(
    'DynamoDB',
    `storage of ${inputs.retentionDays} days of reading blocks`,
    storedGb * prices.dynamodb.storagePerGbMonth,
  );
  if (inputs.rules) {
    const { refreshReadUnitsPerWorkerMinute, fullLoadBytesPerRule, checkReadUnitsPerRun } =
      inputs.rules;
    line(
      'DynamoDB',
      `rules kept fresh by ${inputs.workers} workers`,
      refreshReadUnitsPerWorkerMinute * inputs.workers * MINUTES_PER_MONTH * rru,
    );
    const fullLoadUnits = Math.ceil((fleet.rules * fullLoadBytesPerRule) / 4096) * 0.5;
    line(
      'DynamoDB',
      'full rule loads, a cold start per worker an hour',
      fullLoadUnits * inputs.workers * HOURS_PER_MONTH * rru,
    );
    line(
      'DynamoDB',
      'the scheduled check, once a minute',
      checkReadUnitsPerRun * MINUTES_PER_MONTH * rru,
    );
  }
  if (alertRun) {
    const breaching = estimateCost(alertRun, prices).perMillion;
    const normal = estimateCost(singleRun, prices).perMillion;
    const extra = (service: keyof typeof breaching) =>
      (Math.max(0, breaching[service] - normal[service]) / MILLION) * alertsPerMonth;
    line('AppSync', 'alerts: publishAlert and real-time updates', extra('appsync'));
    line('Lambda', 'alerts: the worker’s longer batches', extra('lambda'));
    line('SQS', 'alerts', extra('sqs'));
    line('DynamoDB', 'alerts: episodes and alert records written', extra('dynamodb'));
    line('SNS', 'alerts: one publish each', extra('sns'));
  }
  const byService: Record<BilledService, number> = {
    AppSync: 0,
    Lambda: 0,
    SQS: 0,
    DynamoDB: 0,
    SNS: 0,
  };
  for (const { service, dollars } of lines) byService[service] += dollars;
  const total = Object.values(byService).reduce((sum, dollars) => sum + dollars, 0);
  return { readingsPerMonth, alertsPerMonth, lines, byService, total };
}
