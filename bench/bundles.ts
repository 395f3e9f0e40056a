import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, progress, repoRoot } from './support.ts';
import type { SynthesizedFunction } from './synth-bundles.ts';

export interface BundleResult {
  entry: string;
  bytes: number;
  /** Median `import()` time in a fresh process with the template environment, ms. */
  initMs: number;
  /** The same without NODE_OPTIONS=--enable-source-maps, ms. */
  initWithoutSourceMapsMs: number;
}

/**
 * A function's template environment with CloudFormation references (Ref, Fn::GetAtt)
 * replaced by stand-in strings, as test/infra/synth.ts does for the bundle test.
 */
function templateEnvironment(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `https://resolved.example/${name}`,
    ]),
  );
}

/** Imports the bundle in a fresh Node process with only `env`, as Lambda's cold start does. */
function timeImport(bundle: string, env: Record<string, string>): number {
  const script = `
    const started = performance.now();
    const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const ms = performance.now() - started;
    if (typeof m.handler !== 'function') process.exit(3);
    process.stdout.write(JSON.stringify({ ms }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) {
    throw new Error(`Importing ${bundle} failed (${result.status}): ${result.stderr.slice(-500)}`);
  }
  return (JSON.parse(result.stdout) as { ms: number }).ms;
}

/**
 * Each Lambda bundle's minified size and module-init time. Synthesizes the CDK app with
 * bundling into cdk.out/bench-* (inside the repository, so the bundles resolve `@aws-sdk/*`
 * from node_modules as the Lambda runtime provides them), imports each bundle `runs` times
 * in fresh processes, and removes the output directory.
 */
export async function measureBundles(runs: number): Promise<BundleResult[]> {
  const cdkOut = fileURLToPath(new URL('cdk.out', repoRoot));
  mkdirSync(cdkOut, { recursive: true });
  const outdir = mkdtempSync(join(cdkOut, 'bench-'));
  try {
    progress('bundles: synthesizing the CDK app with bundling');
    const synth = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('./synth-bundles.ts', import.meta.url)), outdir],
      { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (synth.status !== 0) {
      const output = `${synth.stderr ?? ''}${synth.stdout ?? ''}`.trim();
      throw new Error(`CDK synth failed (${synth.status ?? synth.signal}): ${output.slice(-600)}`);
    }
    const functions = JSON.parse(
      readFileSync(join(outdir, 'bench-functions.json'), 'utf8'),
    ) as SynthesizedFunction[];
    const results: BundleResult[] = [];
    for (const fn of functions) {
      progress(`bundles: timing ${fn.entry}`);
      const env = templateEnvironment(fn.environment);
      const { NODE_OPTIONS: _nodeOptions, ...withoutNodeOptions } = env;
      const withMaps: number[] = [];
      const withoutMaps: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        withMaps.push(timeImport(fn.bundle, env));
        withoutMaps.push(timeImport(fn.bundle, withoutNodeOptions));
      }
      results.push({
        entry: fn.entry,
        bytes: statSync(fn.bundle).size,
        initMs: median(withMaps),
        initWithoutSourceMapsMs: median(withoutMaps),
      });
    }
    return results.sort((a, b) => a.entry.localeCompare(b.entry));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
