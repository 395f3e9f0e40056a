import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalAppSync } from '../../local/appsync/server.ts';
import { startLocalAppSync } from '../../local/appsync/server.ts';
import type { LocalStack } from '../../local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';
import { createTestUserPool } from '../support/test-user-pool.ts';
import { localAdmin } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';
import type { Frame, RawResponse, RealtimeProbe } from '../support/wire-probe.ts';
import { openRealtime, rawPost } from '../support/wire-probe.ts';

// Every request here is one no client should send. Each must be refused with an AppSync-shaped
// error a person can act on (an errorType and a message, no stack, no file path), must leave
// the endpoint serving, and must store nothing. Adding a case is adding one line to a table.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked by assertions, not types
type Json = Record<string, any>;

let stack: LocalStack;
/** The stack's first admin's ID token: every case is sent with it unless it says otherwise. */
let adminToken: string;

beforeAll(async () => {
  stack = await startTestStack();
  adminToken = (await localAdmin(stack.outputs)).idToken;
});

afterAll(async () => {
  await stack?.stop();
});

const RUN = randomUUID().slice(0, 8);
const MARKER_DEVICE = `marker-${RUN}`;
const TOKEN_DEVICE_A = `tok-a-${RUN}`;
const TOKEN_DEVICE_B = `tok-b-${RUN}`;
/** Valid device ids that refused readings named; none may end up with a stored reading. */
const refusedDevices: string[] = [];
let deviceCount = 0;

/** A fresh device id for one case, so a reading stored by mistake is traced to its case. */
function device(): string {
  const id = `bad-${RUN}-${++deviceCount}`;
  refusedDevices.push(id);
  return id;
}

const INGEST = `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`;
const INGEST_MANY = `mutation IngestMany($input: [EventInput!]!) {
  ingestEvents(input: $input) { accepted rejected results { index event { id } error { errorType message } } }
}`;
const EVENTS = `query Events($deviceId: ID!, $metric: String, $from: AWSDateTime, $to: AWSDateTime, $limit: Int, $nextToken: String) {
  events(deviceId: $deviceId, metric: $metric, from: $from, to: $to, limit: $limit, nextToken: $nextToken) { items { id deviceId } nextToken }
}`;
const ALERTS = `query Alerts($deviceId: ID, $nextToken: String) { alerts(deviceId: $deviceId, nextToken: $nextToken) { items { id } nextToken } }`;
const RULES = `query Rules($deviceId: ID, $limit: Int, $nextToken: String) { rules(deviceId: $deviceId, limit: $limit, nextToken: $nextToken) { items { id } nextToken } }`;
const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const IMPORT = `mutation Import($m: AWSJSON!, $metrics: [MetricMappingInput!], $severities: [SeverityMappingInput!]) { importAlarmModels(models: $m, metrics: $metrics, severities: $severities) { created } }`;
const ON_ALERT = `subscription OnAlert($deviceId: ID) { onAlert(deviceId: $deviceId) { id deviceId } }`;

// ---------------------------------------------------------------------------------------------
// HTTP requests and what they must get back

interface HttpRequest {
  /** Sent as JSON; `raw` wins when both are given. */
  json?: unknown;
  /** Sent byte for byte. */
  raw?: string | Buffer;
  /** The Authorization header: the admin's ID token unless given (null: none at all). */
  authorization?: string | null;
  headers?: Record<string, string>;
  /** Stream the body without a content-length. */
  chunked?: boolean;
}

interface Refusal {
  status: number;
  errorType: string;
  /** What the message must say, so that a person knows what to change. */
  message: RegExp;
  /** Where the error is: the response's `errors` (default), or the one result of an ingestEvents batch. */
  in?: 'errors' | 'batch';
}

interface HttpCase {
  name: string;
  request: HttpRequest | (() => HttpRequest);
  expect: Refusal;
}

const gql = (query: string, variables?: Json, operationName?: string): HttpRequest => ({
  json: { query, variables, operationName },
});
const raw = (body: string | Buffer, options: Omit<HttpRequest, 'raw' | 'json'> = {}) => ({
  raw: body,
  ...options,
});
/** One reading for ingestEvent: a fresh device, metric cpu, value 1, then `fields`. */
const reading = (fields: Json): HttpRequest =>
  gql(INGEST, { input: { deviceId: device(), metric: 'cpu', value: 1, ...fields } });
/** A batch of one reading for ingestEvents, refused item by item. */
const batchOf = (fields: Json): HttpRequest =>
  gql(INGEST_MANY, { input: [{ deviceId: device(), metric: 'cpu', value: 1, ...fields }] });
/** A createRule with a valid rule, then `fields`. */
const rule = (fields: Json): HttpRequest =>
  gql(CREATE_RULE, {
    input: { deviceId: device(), metric: 'cpu', operator: 'GT', threshold: 1, ...fields },
  });

/** An importAlarmModels of `models` (sent as JSON text unless a string), then `variables`. */
const alarmModels = (models: unknown, variables: Json = {}): HttpRequest =>
  gql(IMPORT, { m: typeof models === 'string' ? models : JSON.stringify(models), ...variables });
/** A valid alarm model: it would import, were the request not refused. */
const MODEL = {
  alarmModelName: 'BadInput',
  alarmRule: {
    simpleRule: { inputProperty: '$input.A.cpu', comparisonOperator: 'GREATER', threshold: '1' },
  },
};

/** Refused before execution (parsing, validation, variable coercion): HTTP 400. */
const invalid = (message: RegExp): Refusal => ({
  status: 400,
  errorType: 'ValidationError',
  message,
});
/** Refused by the resolver: HTTP 200, the field null with a ValidationError. */
const refusedField = (message: RegExp): Refusal => ({
  status: 200,
  errorType: 'ValidationError',
  message,
});
/** Refused item by item in an ingestEvents batch. */
const refusedItem = (message: RegExp): Refusal => ({
  status: 200,
  errorType: 'ValidationError',
  message,
  in: 'batch',
});
const MALFORMED: Refusal = {
  status: 400,
  errorType: 'MalformedHttpRequestException',
  message: /Unable to parse GraphQL query/,
};
const UNAUTHORIZED: Refusal = {
  status: 401,
  errorType: 'UnauthorizedException',
  message: /not authorized/i,
};
const BAD_TOKEN = refusedField(/nextToken is invalid|nextToken does not belong/);

/** Stack traces, file paths, raw exception names: nothing of the server's insides may leak. */
const INTERNALS =
  /\n\s+at |\bat [\w$.<>]+ \(|node_modules|file:\/\/|\/work\/|\.ts:\d+|"stack"|RangeError|TypeError|Maximum call stack/;

function send(request: HttpRequest | (() => HttpRequest)): Promise<RawResponse> {
  const r = typeof request === 'function' ? request() : request;
  const authorization = r.authorization === undefined ? adminToken : r.authorization;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(authorization === null ? {} : { authorization }),
    ...r.headers,
  };
  const body = r.raw ?? JSON.stringify(r.json);
  return rawPost(stack.outputs.GraphQLUrl, body, headers, { chunked: r.chunked });
}

/** Asserts an AppSync-shaped refusal: the status, an errorType, a useful message, no internals. */
function expectRefusal(response: RawResponse, expected: Refusal): Json {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.text).not.toMatch(INTERNALS);
  expect(response.json, response.text).toBeTypeOf('object');
  const body = response.json as Json;
  let error: Json | undefined;
  if (expected.in === 'batch') {
    const outcome = body.data?.ingestEvents;
    expect(outcome, response.text).toMatchObject({ accepted: 0, rejected: 1 });
    expect(outcome.results[0].event).toBeNull();
    error = outcome.results[0].error;
  } else {
    expect(body.errors, response.text).toBeInstanceOf(Array);
    error = body.errors[0];
    // Nothing resolved: no data at all, or the refused field null.
    if (body.data !== undefined && body.data !== null) {
      expect(
        Object.values(body.data).every((value) => value === null),
        response.text,
      ).toBe(true);
    }
  }
  expect({ status: response.status, errorType: error?.errorType }, response.text).toEqual({
    status: expected.status,
    errorType: expected.errorType,
  });
  expect(error?.message).toMatch(expected.message);
  return body;
}

/** The endpoint still answers an ordinary query. */
async function expectServing(): Promise<void> {
  const response = await send(gql(EVENTS, { deviceId: MARKER_DEVICE, limit: 1 }));
  expect(response.status, response.text).toBe(200);
  expect((response.json as Json).errors, response.text).toBeUndefined();
}

async function api(query: string, variables: Json = {}): Promise<Json> {
  const response = await send(gql(query, variables));
  return response.json as Json;
}

async function storedIds(deviceId: string): Promise<string[]> {
  const body = await api(EVENTS, { deviceId, limit: 1000 });
  return (body.data?.events.items ?? []).map((item: Json) => item.id as string);
}

/** Runs a table: each case is refused cleanly and the endpoint keeps serving. */
function refuses(cases: HttpCase[]): void {
  const run = async (c: HttpCase) => {
    expectRefusal(await send(c.request), c.expect);
    await expectServing();
  };
  it.each(cases)('given $name, when it is sent, then it is refused cleanly', run);
}

// ---------------------------------------------------------------------------------------------
// The tables

const EMPTY_QUERY_BODY = JSON.stringify({ query: '{ __typename }' });

// prettier-ignore
const MALFORMED_JSON: HttpCase[] = [
  { name: 'a body that is not JSON', request: raw('not json'), expect: MALFORMED },
  { name: 'an empty body', request: raw(''), expect: MALFORMED },
  { name: 'truncated JSON', request: raw(EMPTY_QUERY_BODY.slice(0, -1)), expect: MALFORMED },
  { name: 'JSON with a trailing comma', request: raw('{"query":"{ __typename }",}'), expect: MALFORMED },
  { name: 'a batch (JSON array) of requests', request: raw(`[${EMPTY_QUERY_BODY}]`), expect: MALFORMED },
  { name: 'a JSON string', request: raw('"{ __typename }"'), expect: MALFORMED },
  { name: 'JSON null', request: raw('null'), expect: MALFORMED },
  { name: 'a number as query', request: raw('{"query":42}'), expect: MALFORMED },
  { name: 'no query at all', request: raw('{"variables":{}}'), expect: MALFORMED },
  { name: 'variables as a JSON string', request: raw('{"query":"{ __typename }","variables":"{}"}'), expect: MALFORMED },
  { name: 'variables as an array', request: raw('{"query":"{ __typename }","variables":[1]}'), expect: MALFORMED },
  { name: 'a number as operationName', request: raw('{"query":"{ __typename }","operationName":7}'), expect: MALFORMED },
  {
    name: 'invalid UTF-8 inside the query',
    request: raw(Buffer.concat([Buffer.from('{"query":"{ '), Buffer.from([0xff, 0xfe]), Buffer.from(' }"}')])),
    expect: invalid(/Syntax Error: Unexpected character/),
  },
];

// prettier-ignore
const MALFORMED_GRAPHQL: HttpCase[] = [
  { name: 'an unclosed selection set', request: gql('{'), expect: invalid(/Syntax Error/) },
  { name: 'an unclosed operation', request: gql('query {'), expect: invalid(/Syntax Error/) },
  { name: 'an empty query', request: gql(''), expect: invalid(/Syntax Error: Unexpected <EOF>/) },
  { name: 'a query that is only a comment', request: gql('# nothing to see'), expect: invalid(/Syntax Error/) },
  { name: 'an argument without a value', request: gql('{ events(deviceId: ) { items { id } } }'), expect: invalid(/Syntax Error/) },
  { name: 'an unterminated string', request: gql('{ events(deviceId: "abc) { items { id } } }'), expect: invalid(/Unterminated string/) },
  { name: 'a field the schema does not have', request: gql('{ nope }'), expect: invalid(/Cannot query field "nope" on type "Query"/) },
  { name: 'a mutation without its argument and selection', request: gql('mutation { ingestEvent }'), expect: invalid(/ingestEvent/) },
  { name: 'an unknown directive', request: gql('{ __typename @loud }'), expect: invalid(/Unknown directive "@loud"/) },
  { name: 'a fragment on an unknown type', request: gql('{ ...F } fragment F on Nope { id }'), expect: invalid(/Unknown type "Nope"/) },
  { name: 'an undefined variable', request: gql('{ events(deviceId: $d) { items { id } } }'), expect: invalid(/Variable "\$d" is not defined/) },
  { name: 'two anonymous operations', request: gql('{ __typename } { __typename }'), expect: invalid(/anonymous operation must be the only defined operation/) },
  { name: 'two named operations and no operationName', request: gql('query A { __typename } query B { __typename }'), expect: invalid(/Must provide operation name/) },
  { name: 'an unknown operationName', request: gql('query A { __typename } query B { __typename }', {}, 'C'), expect: invalid(/Unknown operation named "C"/) },
  { name: 'an operationName for an anonymous operation', request: gql('{ __typename }', {}, 'A'), expect: invalid(/Unknown operation named "A"/) },
  { name: 'a subscription over HTTP', request: gql(ON_ALERT), expect: invalid(/real-time endpoint/) },
  { name: 'more than 50,000 tokens', request: gql(`{ ${'__typename '.repeat(50_001)}}`), expect: invalid(/Document contains more th.t 50000 tokens/) },
];

// prettier-ignore
const WRONG_VARIABLE_TYPES: HttpCase[] = [
  { name: 'a string value', request: reading({ value: 'hot' }), expect: invalid(/Float cannot represent non numeric value: "hot"/) },
  { name: 'a boolean value', request: reading({ value: true }), expect: invalid(/Float cannot represent/) },
  { name: 'an object as device id', request: reading({ deviceId: { id: 'D1' } }), expect: invalid(/ID cannot represent value/) },
  { name: 'a number as metric', request: reading({ metric: 42 }), expect: invalid(/String cannot represent a non string value: 42/) },
  { name: 'an array as the reading', request: gql(INGEST, { input: [{ deviceId: 'D1', metric: 'cpu', value: 1 }] }), expect: invalid(/Expected type "EventInput" to be an object/) },
  { name: 'a missing required variable', request: gql(INGEST, {}), expect: invalid(/Variable "\$input" of required type "EventInput!" was not provided/) },
  { name: 'null for a required variable', request: gql(INGEST, { input: null }), expect: invalid(/must not be null/) },
  { name: 'a missing required field', request: reading({ value: undefined }), expect: invalid(/Field "value" of required type "Float!" was not provided/) },
  { name: 'a field the input type does not have', request: reading({ colour: 'red' }), expect: invalid(/Field "colour" is not defined by type "EventInput"/) },
  { name: 'a fractional limit', request: gql(EVENTS, { deviceId: 'D1', limit: 1.5 }), expect: invalid(/Int cannot represent non-integer value: 1.5/) },
  { name: 'a limit as a string', request: gql(EVENTS, { deviceId: 'D1', limit: '10' }), expect: invalid(/Int cannot represent non-integer value: "10"/) },
  { name: 'a limit beyond 32 bits', request: gql(EVENTS, { deviceId: 'D1', limit: 2 ** 31 }), expect: invalid(/Int cannot represent non 32-bit signed integer/) },
  { name: 'a limit of 0', request: gql(EVENTS, { deviceId: 'D1', limit: 0 }), expect: refusedField(/limit must be between 1 and 1000; got 0/) },
  { name: 'a limit of 1001', request: gql(EVENTS, { deviceId: 'D1', limit: 1001 }), expect: refusedField(/limit must be between 1 and 1000; got 1001/) },
  { name: 'an empty batch', request: gql(INGEST_MANY, { input: [] }), expect: refusedField(/at least one reading/) },
];

// prettier-ignore
const NON_FINITE_NUMBERS: HttpCase[] = [
  { name: 'value 1e309 in the JSON (Infinity)', request: () => raw(`{"query":${JSON.stringify(INGEST)},"variables":{"input":{"deviceId":"${device()}","metric":"cpu","value":1e309}}}`), expect: invalid(/Float cannot represent non numeric value: Infinity/) },
  { name: 'value -1e309 in the JSON (-Infinity)', request: () => raw(`{"query":${JSON.stringify(INGEST)},"variables":{"input":{"deviceId":"${device()}","metric":"cpu","value":-1e309}}}`), expect: invalid(/Float cannot represent non numeric value: -Infinity/) },
  { name: 'value "NaN" as a string', request: reading({ value: 'NaN' }), expect: invalid(/Float cannot represent non numeric value: "NaN"/) },
  { name: 'value "Infinity" as a string', request: reading({ value: 'Infinity' }), expect: invalid(/Float cannot represent non numeric value: "Infinity"/) },
  { name: 'value 1e309 as a GraphQL literal', request: () => gql(`mutation { ingestEvent(input: { deviceId: "${device()}", metric: "cpu", value: 1e309 }) { id } }`), expect: refusedField(/input\.value must be a finite number/) },
  { name: 'value NaN as a GraphQL literal', request: () => gql(`mutation { ingestEvent(input: { deviceId: "${device()}", metric: "cpu", value: NaN }) { id } }`), expect: invalid(/Float cannot represent non numeric value: NaN/) },
  { name: 'a batch reading of 1e309 in the JSON', request: () => raw(`{"query":${JSON.stringify(INGEST_MANY)},"variables":{"input":[{"deviceId":"${device()}","metric":"cpu","value":1e309}]}}`), expect: invalid(/Float cannot represent non numeric value: Infinity/) },
  { name: 'a rule threshold of 1e309 in the JSON', request: () => raw(`{"query":${JSON.stringify(CREATE_RULE)},"variables":{"input":{"metric":"cpu","operator":"GT","threshold":1e309}}}`), expect: invalid(/Float cannot represent non numeric value: Infinity/) },
];

const LONG = 'x'.repeat(129);
// prettier-ignore
const STRINGS: HttpCase[] = [
  { name: 'an empty device id', request: reading({ deviceId: '' }), expect: refusedField(/input\.deviceId is required and must be a non-empty string/) },
  { name: 'an empty metric', request: reading({ metric: '' }), expect: refusedField(/input\.metric is required/) },
  { name: 'an empty reading id', request: reading({ id: '' }), expect: refusedField(/input\.id is required/) },
  { name: 'a 129-character device id', request: reading({ deviceId: LONG }), expect: refusedField(/input\.deviceId must be at most 128 characters; got 129/) },
  { name: 'a 129-character metric', request: reading({ metric: LONG }), expect: refusedField(/input\.metric must be at most 128 characters; got 129/) },
  { name: 'a 129-character reading id', request: reading({ id: LONG }), expect: refusedField(/input\.id must be at most 128 characters; got 129/) },
  { name: 'a 100,000-character device id', request: reading({ deviceId: 'd'.repeat(100_000) }), expect: refusedField(/at most 128 characters; got 100000/) },
  { name: 'a 129-character metric in a batch', request: batchOf({ metric: LONG }), expect: refusedItem(/input\[0\]\.metric must be at most 128 characters/) },
  { name: 'a 129-character device id in a query', request: gql(EVENTS, { deviceId: LONG }), expect: refusedField(/deviceId must be at most 128 characters/) },
  { name: 'an empty device id in a query', request: gql(EVENTS, { deviceId: '' }), expect: refusedField(/deviceId is required/) },
  { name: 'a 257-character rule name', request: rule({ name: 'n'.repeat(257) }), expect: refusedField(/name must be at most 256 characters/) },
  { name: 'a groupBy naming a label twice', request: rule({ groupBy: ['site', 'site'] }), expect: refusedField(/input\.groupBy names 'site' more than once/) },
  { name: 'a group wait of two hours', request: rule({ groupWaitSeconds: 7200 }), expect: refusedField(/input\.groupWaitSeconds must be a whole number from 0 to 3600; got 7200/) },
];

// prettier-ignore
const CONTROL_CHARACTERS_AND_DELIMITERS: HttpCase[] = [
  { name: "a '#' in the device id", request: reading({ deviceId: `D#${RUN}` }), expect: refusedField(/input\.deviceId may contain only letters, digits/) },
  { name: "a '#' in the metric", request: reading({ metric: 'cpu#1' }), expect: refusedField(/input\.metric may contain only letters, digits/) },
  { name: "a '#' in the reading id", request: reading({ id: `r#${RUN}` }), expect: refusedField(/input\.id may contain only letters, digits/) },
  { name: 'a NUL in the device id', request: reading({ deviceId: `D\u0000${RUN}` }), expect: refusedField(/input\.deviceId must not contain control characters/) },
  { name: 'a newline in the metric', request: reading({ metric: 'cpu\nload' }), expect: refusedField(/input\.metric must not contain control characters/) },
  { name: 'a DEL in the reading id', request: reading({ id: `r\u007f${RUN}` }), expect: refusedField(/input\.id must not contain control characters/) },
  { name: 'a C1 control (NEL) in the device id', request: reading({ deviceId: `D\u0085${RUN}` }), expect: refusedField(/input\.deviceId must not contain control characters/) },
  { name: 'full-width digits in the device id', request: reading({ deviceId: `Ｄ１${RUN}` }), expect: refusedField(/input\.deviceId may contain only/) },
  { name: 'a leading space in the device id', request: reading({ deviceId: ` D${RUN}` }), expect: refusedField(/input\.deviceId may contain only/) },
  { name: "a '#' in a batch reading's metric", request: batchOf({ metric: 'a#b' }), expect: refusedItem(/input\[0\]\.metric may contain only/) },
  { name: "a '#' in a queried device id (another partition)", request: gql(EVENTS, { deviceId: `${TOKEN_DEVICE_A}#cpu` }), expect: refusedField(/deviceId may contain only/) },
  { name: "a '#' in the rules device filter", request: gql(RULES, { deviceId: 'x#y' }), expect: refusedField(/deviceId may contain only/) },
  { name: 'a BEL in a rule name', request: rule({ name: 'ding\u0007' }), expect: refusedField(/name must not contain control characters/) },
];

const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
// prettier-ignore
const DATE_TIMES: HttpCase[] = [
  { name: 'a timestamp without a zone', request: reading({ timestamp: '2026-05-01T12:00:00' }), expect: invalid(/Invalid AWSDateTime value: '2026-05-01T12:00:00'/) },
  { name: 'February 30th', request: reading({ timestamp: '2026-02-30T00:00:00Z' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'February 29th of a common year', request: reading({ timestamp: '2026-02-29T00:00:00Z' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'hour 24', request: reading({ timestamp: '2026-05-01T24:00:00Z' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'minute 60', request: reading({ timestamp: '2026-05-01T12:60:00Z' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'a leap second', request: reading({ timestamp: '2026-06-30T23:59:60Z' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'an offset of +24:00', request: reading({ timestamp: '2026-05-01T12:00:00+24:00' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'a date without a time', request: reading({ timestamp: '2026-05-01' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'a word instead of a time', request: reading({ timestamp: 'yesterday' }), expect: invalid(/Invalid AWSDateTime value: 'yesterday'; expected ISO-8601/) },
  { name: 'an empty timestamp', request: reading({ timestamp: '' }), expect: invalid(/Invalid AWSDateTime value/) },
  { name: 'epoch seconds instead of a time', request: reading({ timestamp: 1_700_000_000 }), expect: invalid(/Invalid AWSDateTime value: '1700000000'/) },
  { name: 'an impossible date as a GraphQL literal', request: () => gql(`mutation { ingestEvent(input: { deviceId: "${device()}", metric: "cpu", value: 1, timestamp: "2026-02-30T00:00:00Z" }) { id } }`), expect: invalid(/AWSDateTime/) },
  { name: 'a timestamp an hour ahead', request: reading({ timestamp: inAnHour }), expect: refusedField(/input\.timestamp is more than 15 minutes in the future/) },
  { name: 'a timestamp in 1970', request: reading({ timestamp: '1970-01-01T00:00:00Z' }), expect: refusedField(/input\.timestamp is older than the retention period/) },
  { name: 'a timestamp in year 0000', request: reading({ timestamp: '0000-01-01T00:00:00Z' }), expect: refusedField(/input\.timestamp/) },
  { name: 'a garbage from in a query', request: gql(EVENTS, { deviceId: 'D1', from: 'garbage' }), expect: invalid(/Invalid AWSDateTime value: 'garbage'/) },
  { name: 'a from later than to', request: gql(EVENTS, { deviceId: 'D1', from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z' }), expect: refusedField(/from must not be later than to/) },
];

// prettier-ignore
const ENUMS: HttpCase[] = [
  { name: 'operator ABOVE as a literal', request: gql('mutation { createRule(input: { metric: "cpu", operator: ABOVE, threshold: 1 }) { id } }'), expect: invalid(/Value "ABOVE" does not exist in "Operator" enum/) },
  { name: 'severity PANIC as a literal', request: gql('mutation { createRule(input: { metric: "cpu", operator: GT, threshold: 1, severity: PANIC }) { id } }'), expect: invalid(/Value "PANIC" does not exist in "Severity" enum/) },
  { name: 'operator ABOVE in the variables', request: rule({ operator: 'ABOVE' }), expect: invalid(/Value "ABOVE" does not exist in "Operator" enum/) },
  { name: 'severity PANIC in the variables', request: rule({ severity: 'PANIC' }), expect: invalid(/Value "PANIC" does not exist in "Severity" enum/) },
  { name: 'a lower-case operator', request: rule({ operator: 'gt' }), expect: invalid(/Value "gt" does not exist in "Operator" enum. Did you mean the enum value "GT"/) },
  { name: 'an operator as a string literal', request: gql('mutation { createRule(input: { metric: "cpu", operator: "GT", threshold: 1 }) { id } }'), expect: invalid(/Enum "Operator" cannot represent non-enum value: "GT"/) },
  { name: 'an operator as a number', request: rule({ operator: 1 }), expect: invalid(/Enum "Operator" cannot represent non-string value: 1/) },
  { name: 'an unknown operator in an update', request: gql('mutation { updateRule(id: "r1", input: { operator: ABOVE }) { id } }'), expect: invalid(/Value "ABOVE" does not exist in "Operator" enum/) },
];

const OVER_THE_LIMIT = 5 * 1024 * 1024 + 1;
const hugeBody = () => {
  const body = JSON.stringify({ query: '{ __typename }', pad: '' });
  return body.slice(0, -2) + 'x'.repeat(OVER_THE_LIMIT - body.length + 2) + '"}';
};
const TOO_LARGE: Refusal = {
  status: 413,
  errorType: 'PayloadTooLargeException',
  message: /Request body exceeds the 5242880 byte limit/,
};
const batch = (size: number) => {
  const deviceId = device();
  return gql(INGEST_MANY, {
    input: Array.from({ length: size }, (_, i) => ({ deviceId, metric: 'cpu', value: i })),
  });
};
// prettier-ignore
const OVERSIZED: HttpCase[] = [
  { name: 'a body one byte over 5 MiB', request: () => raw(hugeBody()), expect: TOO_LARGE },
  { name: 'a body over 5 MiB streamed without a content-length', request: () => raw(hugeBody(), { chunked: true }), expect: TOO_LARGE },
  { name: 'a 6 MiB query text', request: () => gql(`{ __typename ${' '.repeat(6 * 1024 * 1024)}}`), expect: TOO_LARGE },
  { name: 'a batch of 1,001 readings', request: () => batch(1001), expect: refusedField(/input has 1001 readings; at most 1000 per call, split the batch/) },
  { name: 'a batch of 5,000 readings', request: () => batch(5000), expect: refusedField(/input has 5000 readings; at most 1000 per call/) },
];

// prettier-ignore
const ALARM_MODELS: HttpCase[] = [
  { name: 'models that are not JSON', request: alarmModels('{"alarmModelName": '), expect: invalid(/Invalid AWSJSON value/) },
  { name: 'models as a JSON number', request: alarmModels('42'), expect: refusedField(/No alarm models found: pass one alarm model/) },
  { name: 'an empty list of models', request: alarmModels([]), expect: refusedField(/The list of alarm models is empty/) },
  { name: 'alarmModels that is not a list', request: alarmModels({ alarmModels: MODEL }), expect: refusedField(/alarmModels must be a list/) },
  { name: '1,001 models', request: () => alarmModels(Array.from({ length: 1001 }, (_, i) => ({ ...MODEL, alarmModelName: `M${i}` }))), expect: refusedField(/1001 alarm models in one import; at most 1000/) },
  { name: 'a metric mapped to a metric with a space', request: alarmModels(MODEL, { metrics: [{ inputProperty: '$input.A.cpu', metric: 'c p u' }] }), expect: refusedField(/metrics\[0\]\.metric may contain only/) },
  { name: 'a severity number below 0', request: alarmModels(MODEL, { severities: [{ severity: -1, level: 'INFO' }] }), expect: refusedField(/severities\[0\]\.severity must be a whole number from 0 to 2147483647/) },
  { name: 'a severity number beyond Int', request: alarmModels(MODEL, { severities: [{ severity: 2147483648, level: 'INFO' }] }), expect: invalid(/Int cannot represent non 32-bit signed integer value/) },
  { name: 'a severity level FATAL', request: alarmModels(MODEL, { severities: [{ severity: 1, level: 'FATAL' }] }), expect: invalid(/Value "FATAL" does not exist in "Severity" enum/) },
];

const nested = (levels: number, open: string, close: string, inner: string) =>
  open.repeat(levels) + inner + close.repeat(levels);
const fragmentChain = (length: number) => {
  let text = 'query { __type(name: "Query") { ...F0 } }\n';
  for (let i = 0; i < length; i++) text += `fragment F${i} on __Type { ofType { ...F${i + 1} } }\n`;
  return `${text}fragment F${length} on __Type { name }`;
};
const TOO_DEEP = invalid(/nests more than 500 levels deep/);
// prettier-ignore
const DEEP_AND_CYCLIC: HttpCase[] = [
  { name: 'two fragments spreading each other', request: gql('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'), expect: invalid(/Cannot spread fragment "A" within itself via "B"/) },
  { name: 'a fragment spreading itself', request: gql('{ ...A } fragment A on Query { __typename ...A }'), expect: invalid(/Cannot spread fragment "A" within itself/) },
  { name: 'a three-fragment cycle below fields', request: gql('{ __type(name: "Query") { ...A } } fragment A on __Type { ofType { ...B } } fragment B on __Type { ofType { ...C } } fragment C on __Type { ofType { ...A } }'), expect: invalid(/Cannot spread fragment "A" within itself via "B", "C"/) },
  { name: '600 nested selection sets', request: gql(`{ ${nested(600, 'a { ', ' }', 'b')} }`), expect: TOO_DEEP },
  { name: '1,800 nested selection sets (past the parser’s stack)', request: gql(`{ ${nested(1800, 'a{', '}', 'b')} }`), expect: TOO_DEEP },
  { name: 'a chain of 3,000 fragments (past validation’s stack)', request: gql(fragmentChain(3000)), expect: TOO_DEEP },
  { name: 'a list literal nested 1,000 deep', request: gql(`{ events(deviceId: ${nested(1000, '[', ']', '"x"')}) { items { id } } }`), expect: TOO_DEEP },
  { name: 'an object literal nested 1,000 deep', request: gql(`mutation { ingestEvent(input: ${nested(1000, '{ a: ', ' }', '1')}) { id } }`), expect: TOO_DEEP },
  { name: 'an unused variable nested 100,000 deep', request: () => raw(`{"query":${JSON.stringify(EVENTS)},"variables":{"deviceId":"D1","junk":${nested(100_000, '[', ']', '')}}}`), expect: invalid(/variables nest more than 500 levels deep/) },
  { name: 'a device id variable nested 100,000 deep', request: () => raw(`{"query":${JSON.stringify(EVENTS)},"variables":{"deviceId":${nested(100_000, '{"a":', '}', '1')}}}`), expect: invalid(/variables nest more than 500 levels deep/) },
];

/** Real tokens and readings the token cases tamper with, made in the group's beforeAll. */
const tokens = {
  /** events(deviceId: A, limit: 1) */
  a: '',
  /** events(deviceId: A, metric: "cpu", limit: 1) */
  aMetric: '',
  /** Reading ids of device B, which no query about A may ever return. */
  bIds: [] as string[],
};
const decode = (token: string) =>
  JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { q: string; p: Json };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A's first-page token with its position (`p`) changed and its query fingerprint kept. */
const repositioned = (token: () => string, position: (p: Json) => Json) => () => {
  const { q, p } = decode(token());
  return encode({ q, p: position(p) });
};
const eventsOfA =
  (nextToken: () => string, extra: Json = {}) =>
  () =>
    gql(EVENTS, { deviceId: TOKEN_DEVICE_A, limit: 1, nextToken: nextToken(), ...extra });

// prettier-ignore
const TAMPERED_TOKENS: HttpCase[] = [
  { name: 'random base64 as nextToken', request: eventsOfA(() => randomBytes(48).toString('base64')), expect: BAD_TOKEN },
  { name: 'a nextToken that is not base64', request: eventsOfA(() => '%%% not a token %%%'), expect: BAD_TOKEN },
  { name: 'an empty nextToken', request: eventsOfA(() => ''), expect: BAD_TOKEN },
  { name: 'a nextToken of JSON that is not an object', request: eventsOfA(() => encode('x')), expect: BAD_TOKEN },
  { name: 'a 100 KB nextToken', request: eventsOfA(() => 'A'.repeat(100_000)), expect: BAD_TOKEN },
  { name: "A's token replayed for device B", request: () => gql(EVENTS, { deviceId: TOKEN_DEVICE_B, limit: 1, nextToken: tokens.a }), expect: BAD_TOKEN },
  { name: "A's token with a metric filter added", request: eventsOfA(() => tokens.a, { metric: 'cpu' }), expect: BAD_TOKEN },
  { name: "A's events token on alerts", request: () => gql(ALERTS, { deviceId: TOKEN_DEVICE_A, nextToken: tokens.a }), expect: BAD_TOKEN },
  { name: "A's events token on rules", request: () => gql(RULES, { nextToken: tokens.a }), expect: BAD_TOKEN },
  { name: "A's token re-encoded to point into B's partition", request: eventsOfA(repositioned(() => tokens.a, (p) => ({ ...p, deviceId: TOKEN_DEVICE_B, id: tokens.bIds[0] }))), expect: refusedField(/nextToken does not belong to this query/) },
  { name: "A's metric token re-encoded to point into B's metric partition", request: eventsOfA(repositioned(() => tokens.aMetric, (p) => ({ ...p, deviceId: TOKEN_DEVICE_B, deviceMetric: `${TOKEN_DEVICE_B}#cpu` })), { metric: 'cpu' }), expect: refusedField(/nextToken does not belong to this query/) },
  { name: "A's token with a position of non-strings", request: eventsOfA(repositioned(() => tokens.a, (p) => ({ ...p, timeKey: 42 }))), expect: BAD_TOKEN },
  { name: "A's token with an attribute added to its position", request: eventsOfA(repositioned(() => tokens.a, (p) => ({ ...p, extra: 'x' }))), expect: BAD_TOKEN },
  { name: "A's token with its position's sort key removed", request: eventsOfA(repositioned(() => tokens.a, (p) => ({ deviceId: p.deviceId }))), expect: BAD_TOKEN },
];

// prettier-ignore
const BAD_KEYS: HttpCase[] = [
  { name: 'no credential', request: { ...gql('{ __typename }'), authorization: null }, expect: UNAUTHORIZED },
  { name: 'an empty Authorization header', request: { ...gql('{ __typename }'), authorization: '' }, expect: UNAUTHORIZED },
  { name: 'an API key (the API has no API key mode)', request: { ...gql('{ __typename }'), authorization: null, headers: { 'x-api-key': 'da2-thisisnotthekeythisisnotthek' } }, expect: UNAUTHORIZED },
  { name: "the admin's token with one character more", request: () => ({ ...gql('{ __typename }'), authorization: `${adminToken}x` }), expect: UNAUTHORIZED },
  { name: "the admin's token as a bearer authorization", request: () => ({ ...gql('{ __typename }'), authorization: `Bearer ${adminToken}` }), expect: UNAUTHORIZED },
  { name: 'a made-up device token', request: { ...gql('{ __typename }'), authorization: `tad_${'0'.repeat(32)}_${'0'.repeat(64)}` }, expect: UNAUTHORIZED },
  { name: 'the demo device token with one character changed', request: () => ({ ...gql(INGEST, { input: { deviceId: 'demo-bad', metric: 'cpu', value: 1 } }), authorization: `${stack.outputs.DemoDeviceToken.slice(0, -1)}${stack.outputs.DemoDeviceToken.endsWith('0') ? '1' : '0'}` }), expect: UNAUTHORIZED },
  { name: 'a malformed SigV4 authorization', request: { ...gql('{ __typename }'), authorization: null, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDFORGED, Signature=00' } }, expect: { ...UNAUTHORIZED, message: /Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'/ } },
  { name: 'a forged SigV4 signature', request: () => ({ ...gql('{ __typename }'), authorization: null, headers: { 'x-amz-date': amzNow(), authorization: `AWS4-HMAC-SHA256 Credential=${stack.outputs.LocalAccessKeyId}/${amzNow().slice(0, 8)}/${stack.outputs.Region}/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}` } }), expect: { ...UNAUTHORIZED, message: /signature we calculated does not match/ } },
  { name: 'a SigV4 signature from an unknown access key', request: () => ({ ...gql('{ __typename }'), authorization: null, headers: { 'x-amz-date': amzNow(), authorization: `AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/${amzNow().slice(0, 8)}/${stack.outputs.Region}/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}` } }), expect: { ...UNAUTHORIZED, message: /security token included in the request is invalid/ } },
  { name: "an IAM-only publishAlert with the admin's token", request: () => gql('mutation Publish($input: AlertInput!) { publishAlert(input: $input) { id } }', { input: alertInput }), expect: { status: 200, errorType: 'Unauthorized', message: /Not Authorized to access publishAlert on type Mutation/ } },
];

/** Now as SigV4's x-amz-date: 20260101T120000Z. */
const amzNow = () =>
  new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** A valid AlertInput, built from the schema itself so that it follows schema changes. */
let alertInput: Json = {};

async function sampleInput(typeName: string): Promise<Json> {
  const typeRef = 'kind name enumValues { name }';
  const body = await api(
    `query($name: String!) { __type(name: $name) { inputFields { name type { ${typeRef} ofType { ${typeRef} } } } } }`,
    { name: typeName },
  );
  const sample: Json = {};
  for (const field of body.data.__type.inputFields as Json[]) {
    if (field.type.kind !== 'NON_NULL') continue;
    const type = field.type.ofType;
    sample[field.name] =
      type.kind === 'ENUM'
        ? type.enumValues[0].name
        : (({ Float: 1, Int: 1, Boolean: true, AWSDateTime: new Date().toISOString() } as Json)[
            type.name
          ] ?? `sample-${field.name}`);
  }
  return sample;
}

// ---------------------------------------------------------------------------------------------
// Websocket frames

interface WsCase {
  name: string;
  /** Frames sent after connection_init was acknowledged. */
  frames: () => Array<Frame | string | Buffer>;
  expect:
    | { error: string; message: RegExp; id?: string }
    /** Not an error in AppSync's protocol: answered as usual, and the connection stays. */
    | { reply: string; id?: string }
    | { closeCode: number };
}

const realtimeAuth = () => ({
  host: new URL(stack.outputs.GraphQLUrl).host,
  Authorization: adminToken,
});
const start = (
  id: unknown,
  query: string,
  variables: Json = {},
  authorization: Json | null = realtimeAuth(),
  operationName?: string,
): Frame => ({
  ...(id === undefined ? {} : { id }),
  type: 'start',
  payload: {
    data: JSON.stringify({ query, variables, operationName }),
    ...(authorization ? { extensions: { authorization } } : {}),
  },
});

// prettier-ignore
const WS_FRAMES: WsCase[] = [
  { name: 'a frame that is not JSON', frames: () => ['hello'], expect: { error: 'UnsupportedOperation', message: /not valid JSON/ } },
  { name: 'a JSON array frame', frames: () => ['[1,2]'], expect: { error: 'UnsupportedOperation', message: /must be a JSON object/ } },
  { name: 'an unknown message type', frames: () => [{ id: 'u1', type: 'subscribe' }], expect: { error: 'UnsupportedOperation', message: /not supported/, id: 'u1' } },
  { name: 'a message without a type', frames: () => [{ id: 'u2' }], expect: { error: 'UnsupportedOperation', message: /not supported/, id: 'u2' } },
  { name: 'a start without an id', frames: () => [start(undefined, ON_ALERT)], expect: { error: 'UnsupportedOperation', message: /start message needs a non-empty string id/ } },
  { name: 'a start with a numeric id', frames: () => [start(5, ON_ALERT)], expect: { error: 'UnsupportedOperation', message: /non-empty string id/ } },
  { name: 'a start with a query', frames: () => [start('q1', '{ __typename }')], expect: { error: 'UnsupportedOperation', message: /not supported through the realtime channel/, id: 'q1' } },
  { name: 'a start with a mutation', frames: () => [start('m1', INGEST, { input: { deviceId: device(), metric: 'cpu', value: 1 } })], expect: { error: 'UnsupportedOperation', message: /not supported through the realtime channel/, id: 'm1' } },
  { name: 'a start with invalid GraphQL', frames: () => [start('g1', 'subscription {')], expect: { error: 'ValidationError', message: /Syntax Error/, id: 'g1' } },
  { name: 'a start with an unknown field', frames: () => [start('g2', 'subscription { onAlert { nope } }')], expect: { error: 'ValidationError', message: /Cannot query field "nope"/, id: 'g2' } },
  { name: 'a start with two operations and no operationName', frames: () => [start('g3', `${ON_ALERT} subscription Other { onAlert { id } }`)], expect: { error: 'ValidationError', message: /Must provide operation name/, id: 'g3' } },
  { name: 'a start with an unknown operationName', frames: () => [start('g4', ON_ALERT, {}, realtimeAuth(), 'Nope')], expect: { error: 'ValidationError', message: /Unknown operation named "Nope"/, id: 'g4' } },
  { name: 'a start with a wrongly typed variable', frames: () => [start('g5', ON_ALERT, { deviceId: { id: 1 } })], expect: { error: 'ValidationError', message: /ID cannot represent value/, id: 'g5' } },
  { name: 'a start with cyclic fragments', frames: () => [start('g6', 'subscription { ...A } fragment A on Subscription { ...B } fragment B on Subscription { ...A }')], expect: { error: 'ValidationError', message: /Cannot spread fragment "A" within itself/, id: 'g6' } },
  { name: 'a start nested 600 levels deep', frames: () => [start('g7', `subscription { ${nested(600, 'a { ', ' }', 'b')} }`)], expect: { error: 'ValidationError', message: /nests more than 500 levels deep/, id: 'g7' } },
  { name: 'a start whose payload.data is not a string', frames: () => [{ id: 'p1', type: 'start', payload: { data: { query: ON_ALERT } } }], expect: { error: 'BadRequestException', message: /payload\.data must be a JSON string/, id: 'p1' } },
  { name: 'a start whose payload.data is not JSON', frames: () => [{ id: 'p2', type: 'start', payload: { data: '{nope' } }], expect: { error: 'BadRequestException', message: /payload\.data is not valid JSON/, id: 'p2' } },
  { name: 'a start without authorization', frames: () => [start('a1', ON_ALERT, {}, null)], expect: { error: 'UnauthorizedException', message: /not authorized/i, id: 'a1' } },
  { name: 'a start with a tampered token', frames: () => [start('a2', ON_ALERT, {}, { ...realtimeAuth(), Authorization: `${adminToken}x` })], expect: { error: 'UnauthorizedException', message: /not authorized/i, id: 'a2' } },
  { name: 'a start reusing an active id', frames: () => [start('dup', ON_ALERT), start('dup', ON_ALERT)], expect: { error: 'DuplicatedOperationError', message: /Duplicate subscription id 'dup'/, id: 'dup' } },
  { name: 'a 300 KB frame', frames: () => [JSON.stringify({ type: 'connection_init', pad: 'x'.repeat(300 * 1024) })], expect: { error: 'UnsupportedOperation', message: /exceeds the 262144 byte limit/ } },
  { name: 'a binary frame', frames: () => [Buffer.from(JSON.stringify({ type: 'connection_init' }))], expect: { error: 'UnsupportedOperation', message: /Binary messages are not supported/ } },
  { name: 'a stop without an id', frames: () => [{ type: 'stop' }], expect: { error: 'UnsupportedOperation', message: /stop message needs a non-empty string id/ } },
  { name: 'a stop for an unknown id', frames: () => [{ id: 'never-started', type: 'stop' }], expect: { reply: 'complete', id: 'never-started' } },
  { name: 'connection_init twice', frames: () => [{ type: 'connection_init' }], expect: { reply: 'connection_ack' } },
  { name: 'a 9 MiB frame', frames: () => ['x'.repeat(9 * 1024 * 1024)], expect: { closeCode: 1009 } },
];

const WS_CONNECT: Array<{ name: string; header: () => Record<string, string> | string | null }> = [
  { name: 'no connect header', header: () => null },
  {
    name: 'a tampered token on connect',
    header: () => ({ ...realtimeAuth(), Authorization: `${adminToken}x` }),
  },
  { name: 'an empty token on connect', header: () => ({ ...realtimeAuth(), Authorization: '' }) },
  {
    name: 'an API key on connect',
    header: () => ({ host: new URL(stack.outputs.GraphQLUrl).host, 'x-api-key': 'da2-wrong' }),
  },
  { name: 'a connect header that is not base64 JSON', header: () => '!!not-base64-json!!' },
];

async function openAcknowledged(): Promise<RealtimeProbe> {
  const probe = await openRealtime(stack.outputs.RealtimeUrl, realtimeAuth());
  probe.send({ type: 'connection_init' });
  await probe.next((frame) => frame.type === 'connection_ack');
  return probe;
}

/** A connection still serves: a good subscription is acknowledged. */
async function expectSubscribable(probe: RealtimeProbe): Promise<void> {
  const id = `ok-${randomUUID()}`;
  probe.send(start(id, ON_ALERT, { deviceId: MARKER_DEVICE }));
  await probe.next((frame) => frame.type === 'start_ack' && frame.id === id);
}

// ---------------------------------------------------------------------------------------------
// The tests

describe('malformed JSON bodies', () => refuses(MALFORMED_JSON));
describe('malformed GraphQL', () => refuses(MALFORMED_GRAPHQL));
describe('wrong variable types', () => refuses(WRONG_VARIABLE_TYPES));
describe('non-finite numbers', () => refuses(NON_FINITE_NUMBERS));
describe('empty and oversized strings', () => refuses(STRINGS));
describe("control characters and the key delimiter '#'", () =>
  refuses(CONTROL_CHARACTERS_AND_DELIMITERS));
describe('invalid AWSDateTime values', () => refuses(DATE_TIMES));
describe('unknown enum values', () => refuses(ENUMS));
describe('oversized bodies and batches', () => refuses(OVERSIZED));
describe('alarm models to import', () => refuses(ALARM_MODELS));
describe('deep and cyclic queries', () => {
  refuses(DEEP_AND_CYCLIC);

  it('given an introspection query, when it is sent, then __schema is answered as AppSync does by default', async () => {
    const body = await api('{ __schema { queryType { name } types { name } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.queryType.name).toBe('Query');
  });
});

describe('tampered and forged nextTokens', () => {
  beforeAll(async () => {
    const ingest = (deviceId: string) =>
      api(INGEST_MANY, {
        input: [1, 2, 3].map((i) => ({
          id: `${deviceId}-r${i}`,
          deviceId,
          metric: 'cpu',
          value: i,
          timestamp: new Date(Date.now() - i * 60_000).toISOString(),
        })),
      });
    await Promise.all([ingest(TOKEN_DEVICE_A), ingest(TOKEN_DEVICE_B)]);
    await waitFor(
      async () =>
        (await storedIds(TOKEN_DEVICE_A)).length === 3 &&
        (await storedIds(TOKEN_DEVICE_B)).length === 3,
      'the token devices’ readings',
    );
    tokens.a = (await api(EVENTS, { deviceId: TOKEN_DEVICE_A, limit: 1 })).data.events.nextToken;
    tokens.aMetric = (
      await api(EVENTS, { deviceId: TOKEN_DEVICE_A, metric: 'cpu', limit: 1 })
    ).data.events.nextToken;
    tokens.bIds = await storedIds(TOKEN_DEVICE_B);
    expect(tokens.a).toBeTypeOf('string');
    expect(tokens.aMetric).toBeTypeOf('string');
  });

  refuses(TAMPERED_TOKENS);

  it("given every tampered token, when each is sent, then no response carries device B's readings", async () => {
    const responses = await Promise.all(TAMPERED_TOKENS.map((c) => send(c.request)));
    for (const response of responses) {
      for (const id of tokens.bIds) expect(response.text).not.toContain(id);
    }
  });

  it("given A's metric token with only its table key moved to device B, when it is sent, then only A's readings come back", async () => {
    const token = repositioned(
      () => tokens.aMetric,
      (p) => ({ ...p, deviceId: TOKEN_DEVICE_B }),
    )();
    const body = await api(EVENTS, {
      deviceId: TOKEN_DEVICE_A,
      metric: 'cpu',
      limit: 10,
      nextToken: token,
    });
    const items: Json[] = body.data?.events.items ?? [];
    expect(items.every((item) => item.deviceId === TOKEN_DEVICE_A)).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(INTERNALS);
  });
});

describe('bad API keys and auth modes', () => {
  beforeAll(async () => {
    alertInput = await sampleInput('AlertInput');
  });

  refuses(BAD_KEYS);

  it.each(WS_CONNECT)(
    'given $name, when the realtime connection is initialised, then connection_error UnauthorizedException and the socket closes',
    async ({ header }) => {
      const probe = await openRealtime(stack.outputs.RealtimeUrl, header());
      try {
        probe.send({ type: 'connection_init' });
        const refusal = await probe.next((frame) => frame.type === 'connection_error');
        expect(refusal.payload.errors[0]).toMatchObject({ errorType: 'UnauthorizedException' });
        expect(refusal.payload.errors[0].message).toMatch(/not authorized/i);
        await probe.closed();
        expect(probe.frames.some((frame) => frame.type === 'connection_ack')).toBe(false);
      } finally {
        await probe.close();
      }
      await expectServing();
    },
  );
});

describe('bad websocket frames', () => {
  it.each(WS_FRAMES)(
    'given $name on an acknowledged connection, when it is sent, then the answer is clean and the endpoint keeps serving',
    async ({ frames, expect: expected }) => {
      const probe = await openAcknowledged();
      try {
        for (const frame of frames()) probe.send(frame);
        if ('closeCode' in expected) {
          expect(await probe.closed()).toBe(expected.closeCode);
          const fresh = await openAcknowledged();
          await expectSubscribable(fresh);
          await fresh.close();
        } else if ('reply' in expected) {
          await probe.next(
            (frame) =>
              frame.type === expected.reply &&
              (expected.id === undefined || frame.id === expected.id),
          );
          expect(probe.frames.filter((frame) => frame.type === 'error')).toEqual([]);
          await expectSubscribable(probe);
        } else {
          const error = await probe.next((frame) => frame.type === 'error');
          expect(error.id).toBe(expected.id);
          expect(error.payload.errors[0].errorType).toBe(expected.error);
          expect(error.payload.errors[0].message).toMatch(expected.message);
          await expectSubscribable(probe);
        }
        expect(probe.texts.join('\n')).not.toMatch(INTERNALS);
      } finally {
        await probe.close();
      }
      await expectServing();
    },
  );
});

describe('after every bad request', () => {
  it('given a good marker reading sent last, when it is stored, then no refused reading was stored and no rule or alert exists', async () => {
    const marker = await api(INGEST, {
      input: { id: `marker-${RUN}`, deviceId: MARKER_DEVICE, metric: 'cpu', value: 1 },
    });
    expect(marker.errors).toBeUndefined();
    await waitFor(
      async () => (await storedIds(MARKER_DEVICE)).includes(`marker-${RUN}`),
      'the marker reading',
    );

    const stored = await Promise.all(refusedDevices.map(storedIds));
    expect(refusedDevices.filter((_, i) => (stored[i]?.length ?? 0) > 0)).toEqual([]);
    expect((await api(RULES, { limit: 1000 })).data.rules.items).toEqual([]);
    expect((await api(ALERTS, {})).data.alerts.items).toEqual([]);

    // Ids the API refuses to query ('#', control characters) can only be checked in storage.
    const dynamodb = new DynamoDBClient({
      endpoint: stack.outputs.DynamoDbEndpoint,
      region: stack.outputs.Region,
      credentials: {
        accessKeyId: stack.outputs.LocalAccessKeyId,
        secretAccessKey: stack.outputs.LocalSecretAccessKey,
      },
    });
    try {
      const devices = new Set<string>();
      let startKey: Json | undefined;
      do {
        const page = await dynamodb.send(
          new ScanCommand({
            TableName: stack.outputs.ReadingBlocksTableName,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) devices.add(item.deviceId?.S ?? '(none)');
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      expect([...devices].sort()).toEqual([MARKER_DEVICE, TOKEN_DEVICE_A, TOKEN_DEVICE_B].sort());
    } finally {
      dynamodb.destroy();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The endpoint's configurable limits, on an endpoint of its own with small values

describe('the local endpoint with small configured limits', () => {
  const SDL =
    readFileSync(new URL('../../appsync.graphql', import.meta.url), 'utf8') +
    readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
  const POOL = createTestUserPool();
  const TOKEN = POOL.token({ groups: ['admins'] });
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const base = {
    schemaSdl: SDL,
    authorization: {
      defaultAuthorization: {
        authorizationType: 'AMAZON_COGNITO_USER_POOLS' as const,
        userPool: { issuer: POOL.issuer, jwks: POOL.jwks, appClientIds: [POOL.clientId] },
      },
    },
    region: 'eu-west-1',
    lambdaResolvers: {
      'Query.rules': async () => ({ items: [], nextToken: null }),
      'Query.rule': async () => null,
    },
    noneResolvers: ['Mutation.publishAlert'],
    port: 0,
    logger: quiet,
  };
  let server: LocalAppSync;

  beforeAll(async () => {
    server = await startLocalAppSync({
      ...base,
      queryDepthLimit: 3,
      resolverCountLimit: 2,
      maxRequestBytes: 4096,
      maxSubscriptionsPerConnection: 2,
      maxRealtimeMessageBytes: 2048,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const post = (query: string) =>
    rawPost(server.graphqlUrl, JSON.stringify({ query }), {
      'content-type': 'application/json',
      authorization: TOKEN,
    });

  it.each([
    ['a 3-level query', '{ rules { items { id } } }'],
    [
      'a 3-level query through fragments',
      '{ ...Q } fragment Q on Query { rules { items { ...R } } } fragment R on Rule { id }',
    ],
  ])('given queryDepthLimit 3 and %s, when it is posted, then it is answered', async (_, query) => {
    const response = await post(query);
    expect(response.status, response.text).toBe(200);
    expect((response.json as Json).errors, response.text).toBeUndefined();
  });

  it.each([
    ['a 4-level query', '{ __type(name: "Query") { fields { type { name } } } }', 4],
    [
      'a 4-level query through fragments',
      '{ ...Q } fragment Q on Query { __type(name: "Query") { ...T } } fragment T on __Type { fields { type { name } } }',
      4,
    ],
    [
      'a 5-level query through nested fragments',
      '{ __type(name: "Query") { ...T } } fragment T on __Type { fields { ...F } } fragment F on __Field { type { ofType { name } } }',
      5,
    ],
    [
      'an aliased 4-level query',
      '{ t: __type(name: "Query") { f: fields { t2: type { n: name } } } }',
      4,
    ],
  ])(
    'given queryDepthLimit 3 and %s, when it is posted, then it is refused before execution with the depth and the limit',
    async (_, query, depth) => {
      const response = await post(query);
      expectRefusal(
        response,
        invalid(new RegExp(`Query depth ${depth} exceeds the query depth limit of 3`)),
      );
    },
  );

  it('given resolverCountLimit 2, when a request resolves three root fields, then the third is null with ResolverExecutionLimitReached', async () => {
    const response = await post(
      '{ a: rule(id: "1") { id } b: rule(id: "2") { id } c: rule(id: "3") { id } }',
    );
    const body = response.json as Json;
    expect(body.data).toEqual({ a: null, b: null, c: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      path: ['c'],
      errorType: 'ResolverExecutionLimitReached',
    });
    expect(body.errors[0].message).toMatch(/at most 2 resolvers/);
  });

  it('given maxRequestBytes 4096, when a bigger body is posted, then 413 PayloadTooLargeException', async () => {
    const response = await post(`{ __typename ${' '.repeat(5000)}}`);
    expectRefusal(response, {
      status: 413,
      errorType: 'PayloadTooLargeException',
      message: /exceeds the 4096 byte limit/,
    });
  });

  it('given 2 subscriptions per connection and 2048-byte messages, when a third start and a bigger message are sent, then each is refused and the connection stays', async () => {
    const host = new URL(server.graphqlUrl).host;
    const probe = await openRealtime(server.realtimeUrl, { host, authorization: TOKEN });
    try {
      probe.send({ type: 'connection_init' });
      await probe.next((frame) => frame.type === 'connection_ack');
      const auth = { host, authorization: TOKEN };
      for (const id of ['s1', 's2', 's3']) probe.send(start(id, ON_ALERT, {}, auth));
      await probe.next((frame) => frame.type === 'start_ack' && frame.id === 's2');
      const third = await probe.next((frame) => frame.type === 'error' && frame.id === 's3');
      expect(third.payload.errors[0]).toMatchObject({
        errorType: 'MaxSubscriptionsReachedError',
        message: 'Max number of 2 subscriptions reached',
      });
      probe.send(JSON.stringify({ type: 'connection_init', pad: 'x'.repeat(2048) }));
      const big = await probe.next((frame) => frame.type === 'error');
      expect(big.payload.errors[0].message).toMatch(/exceeds the 2048 byte limit/);
      probe.send({ id: 's1', type: 'stop' });
      await probe.next((frame) => frame.type === 'complete' && frame.id === 's1');
      probe.send(start('s4', ON_ALERT, {}, auth));
      await probe.next((frame) => frame.type === 'start_ack' && frame.id === 's4');
    } finally {
      await probe.close();
    }
  });

  it.each([
    [{ queryDepthLimit: 76 }, /queryDepthLimit must be an integer from 0 to 75; got 76/],
    [{ queryDepthLimit: -1 }, /queryDepthLimit must be an integer from 0 to 75/],
    [{ resolverCountLimit: 10_001 }, /resolverCountLimit must be an integer from 1 to 10000/],
    [{ maxRequestBytes: 0 }, /maxRequestBytes must be an integer/],
    [{ maxSubscriptionsPerConnection: 1.5 }, /maxSubscriptionsPerConnection must be an integer/],
  ])(
    'given %o, when the endpoint starts, then it refuses the setting AppSync would refuse',
    async (limits, message) => {
      await expect(startLocalAppSync({ ...base, ...limits })).rejects.toThrow(message);
    },
  );
});
