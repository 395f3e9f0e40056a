import type { Context } from 'aws-lambda';
import type { Alert } from '../domain/alert.ts';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';
import { traceAlertFired, tracer } from './tracer.ts';

/**
 * Wraps a handler with what every function does around an invocation, as Powertools'
 * `injectLambdaContext`, `captureLambdaHandler` and `logMetrics` do for middy or decorators:
 * the Lambda context on every log line (and the debug sampling decided anew, by
 * POWERTOOLS_LOGGER_SAMPLE_RATE), a trace subsegment `## <name>` for the invocation with its
 * cold start and error, and the invocation's metrics written once, at its end, whatever
 * happened. The local stack calls handlers without a context; then lines carry none.
 */
export function instrumented<E, R>(
  name: string,
  handle: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  const subsegmentName = `## ${name}`;
  return async (event, context) => {
    logger.refreshSampleRateCalculation();
    if (context) logger.addContext(context);
    const parent = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = parent?.addNewSubsegment(subsegmentName);
    if (subsegment) {
      tracer?.setSegment(subsegment);
      tracer?.annotateColdStart();
      tracer?.addServiceNameAnnotation();
    }
    try {
      return await handle(event);
    } catch (error) {
      if (subsegment) tracer?.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      if (parent && subsegment) {
        subsegment.close();
        tracer?.setSegment(parent);
      }
      metrics.flush();
      logger.resetKeys();
    }
  };
}

/**
 * What a function does when an alert fires (EvaluationDeps.onAlertFired): a log line with
 * its reading's id as the correlation id — the id ingest gave the reading and the alert's
 * `eventId` (a NO_DATA alert has none) — and a mark in the trace with the rule and alert ids.
 */
export function alertFired(alert: Alert): void {
  logger.info('Alert fired', {
    correlation_id: alert.eventId ?? undefined,
    alertId: alert.id,
    ruleId: alert.ruleId,
    deviceId: alert.deviceId,
    severity: alert.severity,
    reason: alert.reason,
  });
  traceAlertFired(alert);
}
