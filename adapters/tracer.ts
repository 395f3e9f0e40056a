import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Alert } from '../domain/alert.ts';
import { metricsService } from '../domain/metrics.ts';
import { inLambda, setting } from './config.ts';

/**
 * Whether this process traces: in Lambda (AWS_EXECUTION_ENV, set by Lambda alone) when
 * POWERTOOLS_TRACE_ENABLED is true (the stack sets it false: Lambda's active tracing only).
 * Elsewhere — the local stack, tests, scripts — nothing is traced and nothing tries to reach
 * an X-Ray daemon.
 */
const tracing = inLambda() && setting('POWERTOOLS_TRACE_ENABLED');

/**
 * The functions' X-Ray tracer (Powertools Tracer), or null where nothing is traced. Loaded
 * only then: the X-Ray SDK it is built on starts tracking every promise of the process as
 * soon as it is loaded in Lambda (cls-hooked's async hooks), traced or not, which costs
 * every `await` several times over (docs/metrics.md). The SDK clients are captured where
 * they are made (adapters/clients/), the handlers by adapters/instrumentation.ts.
 */
export const tracer: Tracer | null = tracing
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: metricsService })
  : null;

/**
 * Marks an alert that fired in the current trace: a subsegment annotated with the rule's and
 * the alert's id, which X-Ray indexes, so `annotation.alertId = "…"` finds the invocation
 * that fired it (one per alert: a batch may fire several). Never a reading's value.
 */
export function traceAlertFired(alert: Pick<Alert, 'id' | 'ruleId'>, by = tracer): void {
  if (!by?.isTracingEnabled()) return;
  const segment = by.getSegment();
  if (segment === undefined) return;
  const marker = segment.addNewSubsegment('alert fired');
  marker.addAnnotation('ruleId', alert.ruleId);
  marker.addAnnotation('alertId', alert.id);
  marker.close();
}
