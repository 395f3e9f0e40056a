import type { RawData } from 'ws';
import type { AppSyncError } from './appsync-errors.ts';

/**
 * The messages of AppSync's real-time protocol (its `graphql-ws` dialect), by the `type` each
 * carries: the one definition the endpoint builds and matches frames by.
 */
export const MESSAGE = {
  /** Client: opens the connection, after the websocket upgrade carried the authorization. */
  connectionInit: 'connection_init',
  /** Server: the connection is accepted; carries `connectionTimeoutMs`. */
  connectionAck: 'connection_ack',
  /** Server: the connection is refused (unauthorized), then closed. */
  connectionError: 'connection_error',
  /** Server: keep-alive, every keep-alive interval; a client that misses them reconnects. */
  keepAlive: 'ka',
  /** Client: subscribe: `id`, and `payload` with `data` (the JSON request) and `extensions.authorization`. */
  start: 'start',
  /** Server: the subscription `id` is registered. */
  startAck: 'start_ack',
  /** Server: an event for subscription `id`: `payload.data`. */
  data: 'data',
  /** Client: unsubscribe `id`. */
  stop: 'stop',
  /** Server: subscription `id` is stopped. */
  complete: 'complete',
  /** Server: a message was refused: `payload.errors`, with the `id` it concerns, if any. */
  error: 'error',
} as const;

export type RealtimeMessageType = (typeof MESSAGE)[keyof typeof MESSAGE];

export function frame(type: RealtimeMessageType, id?: string, payload?: unknown): string {
  const message: Record<string, unknown> = { type };
  if (id !== undefined) message.id = id;
  if (payload !== undefined) message.payload = payload;
  return JSON.stringify(message);
}

export function errorFrame(id: string | undefined, errors: AppSyncError[]): string {
  return frame(MESSAGE.error, id, { errors });
}

export function simpleError(errorType: string, message: string, errorCode?: number): AppSyncError {
  return errorCode === undefined ? { errorType, message } : { errorType, message, errorCode };
}

export function rawByteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

export function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}

/** A `data` frame around a payload already serialized once for all its subscribers. */
export function dataFrame(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"${MESSAGE.data}","payload":${payloadJson}}`;
}
