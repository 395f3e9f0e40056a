import { pathToFileURL } from 'node:url';
import { benchCredentials } from './credentials.ts';
import { benchRulesRefreshMs, startBenchStack } from './stack.ts';
import { expectData, graphqlRequest, pollUntil } from './support.ts';

const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const INGEST = `mutation Ingest($input: [EventInput!]!) { ingestEvents(input: $input) { accepted rejected } }`;
const ALERTS = `query Alerts($ruleId: ID, $nextToken: String) {
  alerts(ruleId: $ruleId, limit: 100, nextToken: $nextToken) { items { id } nextToken }
}`;

export interface StormResult {
  devices: number;
  /** Alerts the API lists for the storm's rule. */
  alerts: number;
  /** E-mails in the local inbox about the storm's rule. */
  emails: number;
  /** Alerts those e-mails name: each should be named once. */
  listed: number;
  /** From the first reading sent to the last alert listed in an e-mail. */
  seconds: number;
}

/**
 * An alert storm on a fresh local stack: `devices` devices breach one rule at once (in
 * batches of 100 through `ingestEvents`); counts the alerts recorded and the e-mails that
 * reach the inbox, grouped (the rule waits 10 s and sends at most one update per 10 s, so the
 * phase ends soon; docs/on-call.md). What it prints is the number of e-mails for the storm.
 */
export async function measureStorm(devices = 500, budgetMs = 120_000): Promise<StormResult> {
  const stack = await startBenchStack();
  try {
    const { adminToken } = await benchCredentials(stack.outputs);
    const url = stack.outputs.GraphQLUrl;
    const call = <T>(query: string, variables: Record<string, unknown>, what: string) =>
      graphqlRequest<T>(url, adminToken, query, variables).then((r) => expectData(r, what));
    const name = `Storm ${Date.now()}`;
    const { createRule } = await call<{ createRule: { id: string } }>(
      CREATE_RULE,
      {
        input: {
          metric: 'bench.storm',
          operator: 'GT',
          threshold: 50,
          name,
          groupWaitSeconds: 10,
          groupIntervalSeconds: 10,
        },
      },
      'createRule',
    );
    // The workers' rules are fresh within the refresh time.
    await new Promise((resolve) => setTimeout(resolve, 2 * benchRulesRefreshMs + 500));
    const started = Date.now();
    for (let first = 0; first < devices; first += 100) {
      const input = Array.from({ length: Math.min(100, devices - first) }, (_, i) => ({
        deviceId: `storm-${first + i}`,
        metric: 'bench.storm',
        value: 99,
      }));
      await call(INGEST, { input }, 'ingestEvents');
    }
    const alertIds = async () => {
      const ids: string[] = [];
      let nextToken: string | null = null;
      do {
        const page: { alerts: { items: { id: string }[]; nextToken: string | null } } = await call(
          ALERTS,
          { ruleId: createRule.id, nextToken },
          'alerts',
        );
        ids.push(...page.alerts.items.map((alert) => alert.id));
        nextToken = page.alerts.nextToken;
      } while (nextToken);
      return ids;
    };
    const inbox = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
    const emailsAboutRule = async () => {
      const emails = (await (await fetch(inbox)).json()) as { subject: string; text?: string }[];
      return emails
        .map((email) => `${email.subject}\n${email.text ?? ''}`)
        .filter((text) => text.includes(createRule.id) || text.includes(name));
    };
    let last = { ids: [] as string[], emails: [] as string[], listed: 0 };
    await pollUntil(
      async () => {
        const [ids, emails] = await Promise.all([alertIds(), emailsAboutRule()]);
        const listed = ids.filter((id) => emails.some((text) => text.includes(id))).length;
        last = { ids, emails, listed };
        return ids.length === devices && listed === devices;
      },
      budgetMs,
      1_000,
    );
    return {
      devices,
      alerts: last.ids.length,
      emails: last.emails.length,
      listed: last.listed,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `--json [devices]`: the run's report starts it so, in a process of its own (a stack's
  // handlers keep the clients of the first stack their process started), and reads one line.
  const json = process.argv[2] === '--json';
  const result = await measureStorm(json ? Number(process.argv[3] ?? 500) : 500);
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  console.log(
    `${result.devices} devices breaching one rule: ${result.alerts} alerts recorded, ${result.emails} e-mails naming ${result.listed} of them, within ${result.seconds.toFixed(1)} s`,
  );
}
