import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The environment variables through which the benchmark hands its tokens to the client
 * processes it starts. Command-line arguments would show them to anyone on the machine
 * (`ps`, /proc/<pid>/cmdline); a process's environment is readable by its owner only.
 */
export const tokenVariables = {
  deviceToken: 'BENCH_DEVICE_TOKEN',
  idToken: 'BENCH_ID_TOKEN',
} as const;

export type TokenName = keyof typeof tokenVariables;

/**
 * Starts a bench script in a Node process of its own: `args` on its command line, `tokens`
 * in its environment only, with `environment` laid over this process's.
 */
export function startBenchScript(
  script: string,
  args: readonly (string | number)[],
  tokens: Partial<Record<TokenName, string>>,
  stdio: StdioOptions,
  environment: Record<string, string> = {},
): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const tokenEnvironment = Object.fromEntries(
    Object.entries(tokens).map(([name, value]) => [tokenVariables[name as TokenName], value]),
  );
  return spawn(process.execPath, [path, ...args.map(String)], {
    stdio,
    env: { ...process.env, ...environment, ...tokenEnvironment },
  });
}

/** In a client process: the token its parent handed it; empty when there is none. */
export function tokenFromParent(name: TokenName): string {
  return process.env[tokenVariables[name]] ?? '';
}
