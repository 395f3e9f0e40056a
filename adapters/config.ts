import {
  parseSetting,
  SettingError,
  type SettingName,
  type SettingValue,
} from '../infra/settings.ts';

/** Raised at start when a process is given a setting it cannot run with; the message names it. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads one setting from the environment, by its declaration in infra/settings.ts: the one
 * place the functions and `npm start` read their settings. Called at cold start, so a missing
 * or bad setting fails the function at once, with its name.
 */
export function setting<N extends SettingName>(name: N): SettingValue<N> {
  try {
    return parseSetting(name, process.env[name], (other) => process.env[other]);
  } catch (error) {
    if (error instanceof SettingError) throw new ConfigurationError(error.message);
    throw error;
  }
}

/**
 * Whether this process is a Lambda function: AWS_EXECUTION_ENV is Lambda's own variable (as
 * Powertools reads it), set by no deployment and by neither the local stack nor tests.
 */
export function inLambda(): boolean {
  return Boolean(process.env.AWS_EXECUTION_ENV);
}
