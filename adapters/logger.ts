import { Logger } from '@aws-lambda-powertools/logger';

/** The structured logger every function shares; service name from POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger({ serviceName: 'telemetry-alerts' });
