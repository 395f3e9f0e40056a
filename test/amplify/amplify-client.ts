/**
 * A GraphQL client written as an AWS Amplify JS v6 app would be, run against the local
 * stack's HTTPS endpoint. Started by amplify.test.ts in its own process, with
 * NODE_EXTRA_CA_CERTS trusting the local certificate, as the README tells users to.
 * Prints one JSON line with what it saw.
 */
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';

const endpoint = process.env.GRAPHQL_ENDPOINT ?? '';
const apiKey = process.env.API_KEY ?? '';
Amplify.configure({
  API: { GraphQL: { endpoint, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey } },
});
const client = generateClient();
const deviceId = `amplify-${Date.now()}`;

const rule = (await client.graphql({
  query: `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id metric threshold } }`,
  variables: { input: { deviceId, metric: 'pressure', operator: 'GTE', threshold: 3 } },
})) as { data: { createRule: { id: string } } };

const alert = new Promise<unknown>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no alert within 20 s')), 20_000);
  const observable = client.graphql({
    query: `subscription OnAlert($deviceId: ID) { onAlert(deviceId: $deviceId) { id ruleId deviceId value } }`,
    variables: { deviceId },
  }) as unknown as { subscribe(o: object): { unsubscribe(): void } };
  const subscription = observable.subscribe({
    next: (message: { data: unknown }) => {
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve(message.data);
    },
    error: (error: unknown) => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
    },
  });
});

// Amplify reports the subscription live through Hub; a short grace period is not enough
// proof, so readings are sent until the alert arrives.
const sending = setInterval(() => {
  void client.graphql({
    query: `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`,
    variables: { input: { deviceId, metric: 'pressure', value: 4.5 } },
  });
}, 500);

try {
  const received = await alert;
  const rules = (await client.graphql({
    query: `query Rules($deviceId: ID) { rules(deviceId: $deviceId) { items { id } } }`,
    variables: { deviceId },
  })) as { data: { rules: { items: { id: string }[] } } };
  console.log(
    JSON.stringify({
      ruleId: rule.data.createRule.id,
      deviceId,
      received,
      rules: rules.data.rules.items,
    }),
  );
  clearInterval(sending);
  process.exit(0);
} catch (error) {
  clearInterval(sending);
  console.error(error instanceof Error ? error.message : JSON.stringify(error));
  process.exit(1);
}
