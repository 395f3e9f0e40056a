import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Alert } from '../domain/alert.ts';
import { metricsService } from '../domain/metrics.ts';

/**
 * The functions' X-Ray tracer (Powertools Tracer). It traces only inside Lambda with active
 * tracing: elsewhere — the local stack, tests, scripts — Powertools turns it off by itself
 * (no AWS_EXECUTION_ENV), so nothing tries to reach an X-Ray daemon, and
 * POWERTOOLS_TRACE_ENABLED=false turns it off in Lambda too. The SDK clients are captured
 * where they are made (adapters/clients/), the handlers by adapters/instrumentation.ts.
 */
export const tracer = new Tracer({ serviceName: metricsService });

/**
 * Marks an alert that fired in the current trace: a subsegment annotated with the rule's and
 * the alert's id, which X-Ray indexes, so `annotation.alertId = "…"` finds the invocation
 * that fired it (one per alert: a batch may fire several). Never a reading's value.
 */
export function traceAlertFired(alert: Pick<Alert, 'id' | 'ruleId'>): void {
  if (!tracer.isTracingEnabled()) return;
  const segment = tracer.getSegment();
  if (segment === undefined) return;
  const marker = segment.addNewSubsegment('alert fired');
  marker.addAnnotation('ruleId', alert.ruleId);
  marker.addAnnotation('alertId', alert.id);
  marker.close();
}
