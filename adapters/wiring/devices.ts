import { tables } from '../../infra/resources.ts';
import { dynamodb } from '../clients/dynamodb.ts';
import { setting } from '../config.ts';
import { DynamoDbDeviceHealth } from '../dynamodb-device-health.ts';
import { evaluationQueue } from './evaluation-queue.ts';
import { deviceStore } from './stores.ts';

/* The devices resolver's adapters, built once per cold start. */

export const devices = deviceStore();

/** Each device's open alerts and worst severity, from the alerts table. */
export const health = new DynamoDbDeviceHealth(dynamodb, setting(tables.alerts.envVar));

/** A label change goes to the worker, which resolves alerts of rules that no longer select the device. */
export const work = evaluationQueue();

/** How old the worker's rules and device labels may be: a change is handed to it again after it. */
export const refreshMs = setting('RULES_REFRESH_MS');
