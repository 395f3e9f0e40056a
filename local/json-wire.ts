/** Thrown inside the fast copy when a value needs JSON.stringify's own rules. */
const NOT_PLAIN = Symbol('not plain JSON');

function copyPlain(value: unknown, depth: number): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw NOT_PLAIN;
    case 'object': {
      if (depth > 64) throw NOT_PLAIN;
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          out[i] = item === undefined ? null : copyPlain(item, depth + 1);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
      if ('toJSON' in value) throw NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined) out[key] = copyPlain(item, depth + 1);
      }
      return out;
    }
    default:
      // undefined inside arrays is handled above; functions, symbols and bigints are not JSON.
      throw NOT_PLAIN;
  }
}

/**
 * Copies a value as a Lambda invocation's JSON wire would (the function and its caller, AppSync
 * or the event source mapping, share no objects; Dates become strings, undefined properties
 * vanish). Plain data, the usual case, is copied directly, which is several times cheaper than
 * JSON.stringify + JSON.parse; anything else goes through JSON itself so the exact JSON
 * semantics apply. Throws what JSON.stringify throws (cycles, BigInt).
 */
export function overTheWire(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return copyPlain(value, 0);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
  }
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}
