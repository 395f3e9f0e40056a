/**
 * `npm run import-iot-events`: makes one rule per AWS IoT Events alarm model, from a file of
 * models as `aws iotevents describe-alarm-model` prints them (one model, a list, or
 * `{ "alarmModels": [...] }`), and prints the report as a table. It writes the rules table
 * of the stack its outputs file names, as the importAlarmModels mutation does, with no
 * limit on the number of models. docs/iot-events.md has the mapping.
 *
 *   npm run import-iot-events -- models.json --dry-run
 *   npm run import-iot-events -- models.json --metric '$input.Boiler.sensors.t=temperature'
 *   npm run import-iot-events -- models.json --severity 3=WARNING --stack-outputs cdk-outputs.json
 *
 * Exit status: 0 when every model was imported, 1 when any was refused, 2 when nothing could
 * be done (bad arguments, a file that is not alarm models, no stack).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRuleStore } from '../adapters/dynamodb-rule-store.ts';
import { ValidationError } from '../domain/errors.ts';
import {
  type AlarmModelMapping,
  alarmModelMapping,
  parseAlarmModelsJson,
  planImport,
  unusedMappings,
} from '../domain/iot-events.ts';
import { type ImportRuleStore, importRules } from '../domain/rule-import.ts';
import type { ImportReport } from '../generated/graphql.ts';
import { stackName } from '../infra/resources.ts';

const usage =
  'Usage: npm run import-iot-events -- <models.json> [--dry-run] [--metric inputProperty=metric]... [--severity number=INFO|WARNING|CRITICAL]... [--stack-outputs .local/outputs.json] [--json]';

/** A problem the person running the script can fix; its message says how. */
export class ImportCommandError extends Error {
  override readonly name = 'ImportCommandError';
}

export interface ImportOptions {
  file: string;
  dryRun: boolean;
  mapping: AlarmModelMapping;
  /** The outputs file of `cdk deploy --outputs-file`, or the local stack's. */
  stackOutputs: string;
  /** Print the report as JSON (the mutation's shape) rather than a table. */
  json: boolean;
}

/** Reads the command line; refuses unknown options, missing values and bad mappings. */
export function parseArguments(args: readonly string[]): ImportOptions {
  const files: string[] = [];
  const metrics: { inputProperty: string; metric: string }[] = [];
  const severities: { severity: number; level: string }[] = [];
  let stackOutputs = '.local/outputs.json';
  let dryRun = false;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith('--')) {
        throw new ImportCommandError(`${arg} needs a value. ${usage}`);
      }
      return next;
    };
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--json') json = true;
    else if (arg === '--stack-outputs') stackOutputs = value();
    else if (arg === '--metric') {
      const pair = value();
      // A metric has no '=', an inputProperty might: split at the last one.
      const at = pair.lastIndexOf('=');
      if (at <= 0 || at === pair.length - 1) {
        throw new ImportCommandError(
          `--metric takes inputProperty=metric, e.g. '$input.Boiler.sensors.t=temperature'; got '${pair}'`,
        );
      }
      metrics.push({ inputProperty: pair.slice(0, at), metric: pair.slice(at + 1) });
    } else if (arg === '--severity') {
      const pair = value();
      const match = /^(\d+)=([A-Za-z]+)$/.exec(pair);
      if (!match) {
        throw new ImportCommandError(
          `--severity takes number=LEVEL, e.g. 3=WARNING (levels INFO, WARNING, CRITICAL); got '${pair}'`,
        );
      }
      severities.push({ severity: Number(match[1]), level: (match[2] as string).toUpperCase() });
    } else if (arg.startsWith('--'))
      throw new ImportCommandError(`Unknown option ${arg}. ${usage}`);
    else files.push(arg);
  }
  if (files.length !== 1) {
    throw new ImportCommandError(
      files.length === 0
        ? `Which file? Pass the alarm models' JSON file. ${usage}`
        : `One file at a time; got ${files.join(', ')}. ${usage}`,
    );
  }
  let mapping: AlarmModelMapping;
  try {
    mapping = alarmModelMapping(metrics, severities);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The mutation's argument names, as the command line's options.
    const option = (name: string, index: string, field?: string) =>
      `${field ? `the ${field} of ` : ''}${name} number ${Number(index) + 1}`;
    throw new ImportCommandError(
      error.message
        .replace(/^metrics\[(\d+)\](?:\.(\w+))?/, (_, i: string, f?: string) =>
          option('--metric', i, f),
        )
        .replace(/^severities\[(\d+)\](?:\.(\w+))?/, (_, i: string, f?: string) =>
          option('--severity', i, f),
        ),
    );
  }
  return { file: files[0] as string, dryRun, mapping, stackOutputs, json };
}

/** The rules table an outputs file names: `{ "TelemetryAlerts": { "RulesTableName", … } }`. */
export function ruleStoreFrom(
  path: string,
  read: (path: string) => string = (file) => readFileSync(file, 'utf8'),
): DynamoDbRuleStore {
  let outputs: Record<string, string> | undefined;
  try {
    const parsed = JSON.parse(read(path)) as Record<string, Record<string, string>>;
    outputs = parsed[stackName] ?? Object.values(parsed)[0];
  } catch {
    throw new ImportCommandError(
      `Cannot read the stack outputs ${path}: start the local stack (npm start) or pass --stack-outputs cdk-outputs.json (npm run deploy writes it).`,
    );
  }
  const table = outputs?.RulesTableName;
  if (typeof table !== 'string' || table === '') {
    throw new ImportCommandError(
      `No RulesTableName in ${path}: deploy the current stack (npm run deploy) or restart the local stack, and try again.`,
    );
  }
  const local = outputs?.DynamoDbEndpoint;
  const client = new DynamoDBClient({
    region: outputs?.Region,
    ...(local
      ? {
          endpoint: local,
          credentials: {
            accessKeyId: outputs?.LocalAccessKeyId ?? 'local',
            secretAccessKey: outputs?.LocalSecretAccessKey ?? 'local',
          },
        }
      : {}),
  });
  return new DynamoDbRuleStore(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    table,
  );
}

/** The report as the command line prints it: one row per model, what to do under it. */
export function reportTable(report: ImportReport, elapsedMs?: number): string {
  const rows = report.models.map((model) => [
    String(model.index),
    model.name ?? '(no name)',
    model.version ?? '-',
    model.outcome,
    model.ruleId ?? '-',
  ]);
  const heading = ['#', 'model', 'version', report.dryRun ? 'would be' : 'outcome', 'rule'];
  const widths = heading.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd();
  const lines = [report.dryRun ? 'Dry run: nothing was written.' : '', line(heading)];
  report.models.forEach((model, i) => {
    lines.push(line(rows[i] as string[]));
    for (const reason of model.reasons) lines.push(`    refused: ${reason}`);
    for (const item of model.toConfigure) {
      lines.push(
        `    to configure: ${item.kind}${item.target ? ` ${item.target}` : ''}: ${item.instead}`,
      );
    }
    for (const note of model.notes) lines.push(`    note: ${note}`);
    if (model.ignored.length > 0) lines.push(`    ignored: ${model.ignored.join(', ')}`);
  });
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  const took = elapsedMs === undefined ? '' : ` in ${(elapsedMs / 1000).toFixed(1)} s`;
  lines.push(
    '',
    `${report.models.length} model${report.models.length === 1 ? '' : 's'}${took}: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.refused} refused.`,
  );
  return lines.filter((text, i) => i > 0 || text !== '').join('\n');
}

/** The SDK's errors a person can fix, as one line saying how. */
function explain(error: unknown, stackOutputs: string): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === 'CredentialsProviderError') {
    return new ImportCommandError(
      'No AWS credentials: sign in to the account the stack is deployed in (aws sso login, or AWS_PROFILE) and try again.',
    );
  }
  if (error.message === 'Region is missing') {
    return new ImportCommandError(
      `No Region in ${stackOutputs}: set AWS_REGION to the stack's region, or deploy the current stack (its outputs name the region).`,
    );
  }
  if (error.name === 'ResourceNotFoundException') {
    return new ImportCommandError(
      `The rules table named in ${stackOutputs} does not exist: check the stack is running (npm start) or deployed, and that your AWS credentials are of its account and region.`,
    );
  }
  return error;
}

/** The command: read the file, import, print the report; the exit status. */
export async function main(
  args: readonly string[],
  storeFrom: (stackOutputs: string) => ImportRuleStore = ruleStoreFrom,
  log: (text: string) => void = console.log,
): Promise<number> {
  const options = parseArguments(args);
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch {
    throw new ImportCommandError(`Cannot read ${options.file}: check the path.`);
  }
  let plans;
  try {
    plans = planImport(parseAlarmModelsJson(text, options.file), options.mapping);
  } catch (error) {
    if (error instanceof ValidationError) throw new ImportCommandError(error.message);
    throw error;
  }
  const store = storeFrom(options.stackOutputs);
  const started = performance.now();
  const report = await importRules(plans, store, {
    dryRun: options.dryRun,
    at: new Date().toISOString(),
    by: null,
    warnings: unusedMappings(plans, options.mapping),
  }).catch((error: unknown) => {
    throw explain(error, options.stackOutputs);
  });
  const elapsed = performance.now() - started;
  log(options.json ? JSON.stringify(report, null, 2) : reportTable(report, elapsed));
  return report.refused > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(
      error instanceof ImportCommandError
        ? error.message
        : `import-iot-events failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 2;
  }
}
