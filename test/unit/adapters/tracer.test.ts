import { afterEach, describe, expect, it, vi } from 'vitest';

/** adapters/tracer.ts as a function's cold start loads it, in the environment stubbed now. */
async function freshTracer() {
  vi.resetModules();
  return (await import('../../../adapters/tracer.ts')).tracer;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the tracer', () => {
  it('given a process outside Lambda (the local stack, tests), then there is no tracer and nothing is traced', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', '');
    expect(await freshTracer()).toBeNull();
  });

  it('given Lambda with POWERTOOLS_TRACE_ENABLED=false, then no tracer is loaded', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    expect(await freshTracer()).toBeNull();
  });

  it('given Lambda without POWERTOOLS_TRACE_ENABLED, then no tracer is loaded (Lambda traces the invocation alone)', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', '');
    expect(await freshTracer()).toBeNull();
  });

  it('given Lambda with POWERTOOLS_TRACE_ENABLED=true, then the Powertools tracer traces', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    vi.stubEnv('POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS', 'false');
    const tracer = await freshTracer();
    expect(tracer?.isTracingEnabled()).toBe(true);
  });
});
