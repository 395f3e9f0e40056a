import { isIP } from 'node:net';
import type { GraphQLScalarType, GraphQLSchema, ValueNode } from 'graphql';
import { Kind, print } from 'graphql';

/**
 * Thrown by an AppSync scalar's `serialize` when a resolver returned a value the scalar does not
 * accept; the error formatter turns it into AppSync's "Can't serialize value (/path) : …" message.
 */
export class ScalarSerializationError extends Error {
  override name = 'ScalarSerializationError';
}

interface ScalarImplementation {
  serialize(value: unknown): unknown;
  parseValue(value: unknown): unknown;
  parseLiteral(node: ValueNode): unknown;
}

const OFFSET = '(Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const DATE_TIME_RE = new RegExp(
  `^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,9})?)?${OFFSET}$`,
);
const DATE_RE = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})${OFFSET}?$`);
const TIME_RE = new RegExp(`^(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,9})?)?${OFFSET}?$`);
const EMAIL_RE =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const PHONE_RE = /^\+?[0-9](?:[0-9 ()\-.]*[0-9])?$/;
const URL_SCHEME_RE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validDate(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  return d <= days;
}

function validTime(hour: string, minute: string, second: string | undefined): boolean {
  return (
    Number(hour) <= 23 && Number(minute) <= 59 && (second === undefined || Number(second) <= 59)
  );
}

function validOffset(offset: string | undefined): boolean {
  if (offset === undefined || offset === 'Z') return true;
  const [hh = '0', mm = '0', ss = '0'] = offset.slice(1).split(':');
  return Number(hh) <= 23 && Number(mm) <= 59 && Number(ss) <= 59;
}

function isDateTime(value: string): boolean {
  const m = DATE_TIME_RE.exec(value);
  if (!m) return false;
  const [, y = '', mo = '', d = '', h = '', mi = '', s, offset] = m;
  return validDate(y, mo, d) && validTime(h, mi, s) && validOffset(offset);
}

function isDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [, y = '', mo = '', d = '', offset] = m;
  return validDate(y, mo, d) && validOffset(offset);
}

function isTime(value: string): boolean {
  const m = TIME_RE.exec(value);
  if (!m) return false;
  const [, h = '', mi = '', s, offset] = m;
  return validTime(h, mi, s) && validOffset(offset);
}

function isUrl(value: string): boolean {
  return URL_SCHEME_RE.test(value) && URL.canParse(value);
}

function isPhone(value: string): boolean {
  if (!PHONE_RE.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  return digits >= 4 && digits <= 15;
}

function isIpAddress(value: string): boolean {
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  if (slash === -1) return true;
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

function quote(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function stringScalar(
  name: string,
  isValid: (value: string) => boolean,
  example: string,
): ScalarImplementation {
  const message = (value: unknown) =>
    `Invalid ${name} value: '${quote(value)}'; expected ${example}`;
  const check = (value: unknown, ErrorType: new (m: string) => Error): string => {
    if (typeof value !== 'string' || !isValid(value)) throw new ErrorType(message(value));
    return value;
  };
  return {
    serialize: (value) => check(value, ScalarSerializationError),
    parseValue: (value) => check(value, TypeError),
    parseLiteral: (node) => {
      if (node.kind !== Kind.STRING) throw new TypeError(message(print(node)));
      return check(node.value, TypeError);
    },
  };
}

const timestamp: ScalarImplementation = {
  serialize(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw new ScalarSerializationError(
      `Invalid AWSTimestamp value: '${quote(value)}'; expected whole seconds since the epoch`,
    );
  },
  parseValue(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw new TypeError(
      `Invalid AWSTimestamp value: '${quote(value)}'; expected whole seconds since the epoch`,
    );
  },
  parseLiteral(node) {
    const n = node.kind === Kind.INT ? Number(node.value) : Number.NaN;
    if (Number.isSafeInteger(n)) return n;
    throw new TypeError(
      `Invalid AWSTimestamp value: '${print(node)}'; expected whole seconds since the epoch`,
    );
  },
};

function parseJsonString(value: unknown): unknown {
  if (typeof value !== 'string') {
    throw new TypeError(`Invalid AWSJSON value: '${quote(value)}'; expected a string of JSON`);
  }
  try {
    return JSON.parse(value);
  } catch {
    throw new TypeError(`Invalid AWSJSON value: '${value}'; expected a string of valid JSON`);
  }
}

const json: ScalarImplementation = {
  // A string is taken to be JSON already (as a Lambda returning JSON text); anything else is
  // serialized, as AppSync does when a resolver returns an object for an AWSJSON field.
  serialize(value) {
    if (typeof value === 'string') return value;
    const text = JSON.stringify(value);
    if (text === undefined) {
      throw new ScalarSerializationError(`Invalid AWSJSON value: '${String(value)}'`);
    }
    return text;
  },
  parseValue: parseJsonString,
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) {
      throw new TypeError(`Invalid AWSJSON value: '${print(node)}'; expected a string of JSON`);
    }
    return parseJsonString(node.value);
  },
};

/** AppSync's scalar behaviour by scalar name. */
export const appSyncScalars: Readonly<Record<string, ScalarImplementation>> = {
  AWSDateTime: stringScalar('AWSDateTime', isDateTime, 'ISO-8601 such as 2024-05-01T12:00:00.000Z'),
  AWSDate: stringScalar('AWSDate', isDate, 'ISO-8601 date such as 2024-05-01'),
  AWSTime: stringScalar('AWSTime', isTime, 'ISO-8601 time such as 12:00:00.000Z'),
  AWSTimestamp: timestamp,
  AWSEmail: stringScalar('AWSEmail', (v) => EMAIL_RE.test(v), 'an email address such as a@b.com'),
  AWSJSON: json,
  AWSURL: stringScalar('AWSURL', isUrl, 'a URL with a scheme such as https://example.com/a'),
  AWSPhone: stringScalar('AWSPhone', isPhone, 'a phone number such as +1 555 123 4567'),
  AWSIPAddress: stringScalar(
    'AWSIPAddress',
    isIpAddress,
    'an IPv4 or IPv6 address, optionally /prefix',
  ),
};

/**
 * Gives the scalars that the AppSync SDL only declares (`scalar AWSDateTime`) AppSync's
 * validation and serialization, so that the local endpoint accepts and refuses the same values
 * as AppSync. The schema's own scalar objects are updated in place, so nothing else in the
 * schema needs rebuilding.
 */
export function installAppSyncScalars(schema: GraphQLSchema): void {
  for (const [name, implementation] of Object.entries(appSyncScalars)) {
    const type = schema.getType(name) as GraphQLScalarType | undefined;
    if (!type) continue;
    type.serialize = implementation.serialize;
    type.parseValue = implementation.parseValue;
    type.parseLiteral = (node) => implementation.parseLiteral(node);
  }
}
