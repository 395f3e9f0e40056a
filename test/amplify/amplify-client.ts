/**
 * A client written as an AWS Amplify JS v6 app would be, run against the local stack: Amplify
 * Auth signs in to the local user pool (USER_PASSWORD_AUTH through `userPoolEndpoint`), then
 * `generateClient({ authMode: 'userPool' })` creates a rule, lists rules and subscribes to
 * `onAlert` over the stack's HTTPS endpoint, and a device sends readings with
 * `authMode: 'lambda'` and the demo device token. Started by amplify.test.ts in its own
 * process, with NODE_EXTRA_CA_CERTS trusting the local certificate, as the README tells users
 * to. Prints one JSON line with what it saw.
 */
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn } from 'aws-amplify/auth';

const config = JSON.parse(process.env.AMPLIFY_TEST_CONFIG ?? '{}') as {
  endpoint: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  userPoolEndpoint: string;
  username: string;
  password: string;
  deviceToken: string;
};
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.userPoolEndpoint,
    },
  },
  API: {
    GraphQL: { endpoint: config.endpoint, region: config.region, defaultAuthMode: 'userPool' },
  },
});
const signedIn = await signIn({
  username: config.username,
  password: config.password,
  options: { authFlowType: 'USER_PASSWORD_AUTH' },
});
if (!signedIn.isSignedIn) throw new Error(`Not signed in: ${signedIn.nextStep.signInStep}`);

const client = generateClient({ authMode: 'userPool' });
const device = generateClient({ authMode: 'lambda', authToken: config.deviceToken });
const deviceId = `demo-amplify-${Date.now()}`;

const rule = (await client.graphql({
  query: `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id metric threshold createdBy } }`,
  variables: { input: { deviceId, metric: 'pressure', operator: 'GTE', threshold: 3 } },
})) as { data: { createRule: { id: string; createdBy: string } } };

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
// proof, so the device sends readings until the alert arrives.
const ingested: unknown[] = [];
const sending = setInterval(() => {
  (
    device.graphql({
      query: `mutation Ingest($input: EventInput!) { ingestEvent(input: $input) { id } }`,
      variables: { input: { deviceId, metric: 'pressure', value: 4.5 } },
    }) as Promise<unknown>
  ).then(
    (result) => ingested.push(result),
    (error: unknown) => ingested.push({ error: JSON.stringify(error) }),
  );
}, 500);

try {
  const received = await alert;
  const rules = (await client.graphql({
    query: `query Rules($deviceId: ID) { rules(deviceId: $deviceId) { items { id } } }`,
    variables: { deviceId },
  })) as { data: { rules: { items: { id: string }[] } } };
  // The device's token opens ingest only: reading rules with it is refused.
  const refused = await (
    device.graphql({ query: `query { rules { items { id } } }` }) as Promise<unknown>
  ).then(
    () => null,
    (error: { errors?: { errorType?: string }[] }) => error.errors?.[0] ?? error,
  );
  console.log(
    JSON.stringify({
      ruleId: rule.data.createRule.id,
      createdBy: rule.data.createRule.createdBy,
      deviceId,
      received,
      rules: rules.data.rules.items,
      firstIngest: ingested[0],
      deviceReadingRules: refused,
    }),
  );
  clearInterval(sending);
  process.exit(0);
} catch (error) {
  clearInterval(sending);
  console.error(error instanceof Error ? error.message : JSON.stringify(error));
  process.exit(1);
}
