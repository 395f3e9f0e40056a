/** Raised at cold start when the function is deployed without a setting it needs. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Reads a required environment variable, failing fast with its name. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new ConfigurationError(`Missing environment variable ${name}`);
  }
  return value;
}

/** Reads an optional positive integer setting, refusing anything else by name. */
export function integerEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(
      `Environment variable ${name} must be a positive integer; got '${raw}'`,
    );
  }
  return value;
}
