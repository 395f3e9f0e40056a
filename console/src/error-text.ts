import { ApiError } from './api.ts';

/** An error in words for the page: the API's message with its error type, or the message. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.errorType})`;
  return error instanceof Error ? error.message : String(error);
}
