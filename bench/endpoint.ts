import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type LoadResult, runLoad } from './load.ts';
import { graphqlRequest, progress } from './support.ts';
import { CREATE_RULE_MUTATION, CREATE_RULE_VARIABLES } from './trivial-resolvers.ts';

export interface EndpointOptions {
  connections: number;
  warmupMs: number;
  durationMs: number;
}

export interface EndpointResult {
  local: LoadResult;
  /** Bare server, documents parsed and validated once per distinct query. */
  baseline: LoadResult;
  /** Bare server, parsing and validating every request. */
  baselineUncached: LoadResult;
}

type ServerKind = 'local' | 'baseline' | 'baseline-uncached';

interface RunningServer {
  graphqlUrl: string;
  /** The `Authorization` header the load sends: a user-pool ID token. */
  authorization: string;
  child: ChildProcess;
}

/** Starts bench/endpoint-server.ts in a child process and waits for its address. */
async function startServer(kind: ServerKind): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./endpoint-server.ts', import.meta.url)), kind],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const [line] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`The ${kind} server exited with code ${String(code)} before it was ready`);
      }),
    ])) as [string];
    const ready = JSON.parse(line) as { graphqlUrl: string; authorization: string };
    return { ...ready, child };
  } finally {
    clearTimeout(timeout);
    lines.close();
  }
}

/** Stops a server child by its own handle: SIGTERM, then SIGKILL if it lingers. */
async function stopServer(server: RunningServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function loadServer(kind: ServerKind, options: EndpointOptions) {
  const server = await startServer(kind);
  try {
    // One checked request first: both must really execute the mutation.
    const check = await graphqlRequest<{ createRule?: { id?: string } }>(
      server.graphqlUrl,
      server.authorization,
      CREATE_RULE_MUTATION,
      CREATE_RULE_VARIABLES,
    );
    if (check.status !== 200 || check.errors?.length || !check.data?.createRule?.id) {
      throw new Error(`The ${kind} server answered ${check.status}: ${JSON.stringify(check)}`);
    }
    progress(`endpoint: loading the ${kind} server for ${options.durationMs / 1000} s`);
    return await runLoad({
      url: server.graphqlUrl,
      headers: { authorization: server.authorization },
      body: JSON.stringify({ query: CREATE_RULE_MUTATION, variables: CREATE_RULE_VARIABLES }),
      connections: options.connections,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
    });
  } finally {
    await stopServer(server);
  }
}

/**
 * The local AppSync-compatible endpoint against a bare `graphql` + `node:http` server on the
 * same schema with the same trivial resolvers, under the same closed-loop load: with a
 * document cache as the local endpoint has (the yardstick), and without one. Both are called
 * as the product's clients call the API: with a user-pool ID token (group `admins`), whose
 * signature each server verifies. Each server runs alone in a child process; the load
 * generator runs here.
 */
export async function compareEndpoints(options: EndpointOptions): Promise<EndpointResult> {
  const baselineUncached = await loadServer('baseline-uncached', options);
  const baseline = await loadServer('baseline', options);
  const local = await loadServer('local', options);
  return { local, baseline, baselineUncached };
}
