import { fileURLToPath } from 'node:url';
import type { LatencyOptions } from './latency.ts';
import { repoRoot } from './support.ts';
import { runReportingScript, type ThroughputOptions } from './throughput.ts';

/**
 * What the handlers record, the only difference between the phase's runs: nothing, metrics
 * (as deployed), or metrics and Powertools tracing (POWERTOOLS_TRACE_ENABLED=true).
 */
export type InstrumentationMode = 'off' | 'metrics' | 'metrics and tracing';

export interface InstrumentationOptions {
  latency: LatencyOptions;
  throughput: ThroughputOptions;
}

/** One run of the phase: a fresh stack whose handlers record what `mode` says. */
export interface InstrumentationRun {
  mode: InstrumentationMode;
  /** `ingestEvent` → `onAlert`, per measured alert, ms. */
  deliveryMs: number[];
  alertsMissed: number;
  /** Readings stored and evaluated per second (first call → queue empty). */
  processedPerSecond: number;
  drained: boolean;
  /** EMF lines the handlers wrote to stdout. */
  emfLines: number;
  /** UDP datagrams (X-Ray segment documents) sent to the stand-in daemon, and their bytes. */
  segments: number;
  segmentBytes: number;
}

/**
 * The environment of a run, as Lambda with active tracing gives a function, so that
 * Powertools traces outside Lambda too: AWS_EXECUTION_ENV (Tracer turns itself off without
 * it), LAMBDA_TASK_ROOT (the X-Ray SDK's Lambda mode: a facade segment, every subsegment
 * streamed to the daemon as it closes) and a sampled trace header — one for the whole run,
 * where Lambda gives each invocation its own. Every run has it; only
 * POWERTOOLS_METRICS_DISABLED and POWERTOOLS_TRACE_ENABLED differ. The daemon is a UDP
 * socket of the run's own on 127.0.0.1 that counts what it receives
 * (AWS_XRAY_DAEMON_ADDRESS, set by the run once it has bound it).
 */
export function instrumentationEnvironment(mode: InstrumentationMode): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: fileURLToPath(repoRoot),
    _X_AMZN_TRACE_ID: 'Root=1-6650a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    POWERTOOLS_METRICS_DISABLED: mode === 'off' ? 'true' : 'false',
    POWERTOOLS_TRACE_ENABLED: mode === 'metrics and tracing' ? 'true' : 'false',
  };
}

/**
 * Runs bench/instrumentation-run.ts in a process of its own, on a fresh local stack whose
 * handlers record what `mode` says: alert latency, then batch throughput.
 */
export function runInstrumentationProcess(
  mode: InstrumentationMode,
  options: InstrumentationOptions,
): Promise<InstrumentationRun> {
  return runReportingScript<InstrumentationRun>(
    './instrumentation-run.ts',
    [JSON.stringify({ mode, ...options })],
    {},
    instrumentationEnvironment(mode),
  );
}
