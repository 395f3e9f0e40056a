import type {
  CreateRuleInput,
  ImportToConfigure,
  Operator,
  RuleSource,
  Severity,
} from '../generated/graphql.ts';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';
import { severities } from './rule.ts';
import { truncate } from './time.ts';
import { requireMetric } from './validation.ts';

/**
 * AWS IoT Events alarm models as rules. An alarm model (as `aws iotevents
 * describe-alarm-model` prints it, or as `CreateAlarmModel` takes it) watches one input
 * property against a constant; a rule here does the same for a metric. This module reads
 * the models with the API's field names and value ranges and says, model by model, which
 * rule stands for it, or why none can, and what of the model must be set up another way.
 * docs/iot-events.md is the mapping table.
 */

/** The prefix of an imported rule's id: `iot-events:<alarmModelName>`, so a new import updates it. */
export const IMPORTED_RULE_PREFIX = 'iot-events:';

/** How an import maps what alarm models say to rules, beyond the defaults. */
export interface AlarmModelMapping {
  /** A metric per inputProperty (as the model writes it), over the last path segment. */
  readonly metrics: ReadonlyMap<string, string>;
  /** A level per severity number, over `defaultSeverityLevel`. */
  readonly severities: ReadonlyMap<number, Severity>;
}

export const noMapping: AlarmModelMapping = { metrics: new Map(), severities: new Map() };

/** What an alarm model becomes: a rule to create or update, or a refusal with its reasons. */
export interface ModelPlan {
  index: number;
  name: string | null;
  version: string | null;
  /** Null when the model is refused. */
  rule: PlannedRule | null;
  reasons: string[];
  toConfigure: ImportToConfigure[];
  notes: string[];
  ignored: string[];
  /** What the model says that a mapping may map: checked for mappings no model used. */
  inputProperty: string | null;
  severity: number | null;
}

/** The rule an alarm model stands for. */
export interface PlannedRule {
  id: string;
  /** The rule's fields as a create input; `enabled` applies when the rule is created. */
  input: CreateRuleInput & { enabled: boolean; latch: boolean };
  source: RuleSource;
}

const operatorsByComparison: Readonly<Record<string, Operator>> = {
  GREATER: 'GT',
  GREATER_OR_EQUAL: 'GTE',
  LESS: 'LT',
  LESS_OR_EQUAL: 'LTE',
  EQUAL: 'EQ',
  NOT_EQUAL: 'NEQ',
};

const SEVERITY_MAX = 2_147_483_647;
const NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
const KEY_PATTERN = /^((`[\w\- ]+`)|([\w-]+))(\.((`[\w\- ]+`)|([\w-]+)))*$/;
const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** The longest alarmModelName whose rule id (`iot-events:<name>`) is a valid id here. */
export const maxImportedModelName = limits.maxIdLength - IMPORTED_RULE_PREFIX.length;

/**
 * The default level of an IoT Events severity number (lower is more severe, as SiteWise
 * and IoT Events consoles use them): 0 and 1 CRITICAL, 2 WARNING, 3 and above INFO.
 */
export function defaultSeverityLevel(severity: number): Severity {
  if (severity <= 1) return 'CRITICAL';
  return severity === 2 ? 'WARNING' : 'INFO';
}

/** Fields of an alarm model that carry nothing a rule needs: reported as ignored (docs/iot-events.md says why). */
const unusedModelFields = new Set([
  'roleArn',
  'tags',
  'alarmModelArn',
  'creationTime',
  'lastUpdateTime',
  'status',
  'statusMessage',
]);
const modelFields = new Set([
  ...unusedModelFields,
  'alarmModelName',
  'alarmModelVersion',
  'alarmModelDescription',
  'key',
  'severity',
  'alarmRule',
  'alarmCapabilities',
  'alarmNotification',
  'alarmEventActions',
]);

/**
 * The alarm models of a document: one model, a list of them, or `{ "alarmModels": [...] }`.
 * Refuses what is none of these, and an empty list, with what to pass instead.
 */
export function alarmModelsOf(document: unknown): unknown[] {
  const shapes =
    'pass one alarm model (as aws iotevents describe-alarm-model prints it), a list of them, or { "alarmModels": [...] }';
  let models: unknown;
  if (Array.isArray(document)) models = document;
  else if (isObject(document) && 'alarmModels' in document) models = document.alarmModels;
  else if (isObject(document) && ('alarmModelName' in document || 'alarmRule' in document)) {
    models = [document];
  } else {
    throw new ValidationError(`No alarm models found: ${shapes}`, 'models');
  }
  if (!Array.isArray(models)) {
    throw new ValidationError(`alarmModels must be a list: ${shapes}`, 'models');
  }
  if (models.length === 0) {
    throw new ValidationError(`The list of alarm models is empty: nothing to import`, 'models');
  }
  return models;
}

/** The document in a text of JSON; `origin` names it (a file) in the error. */
export function parseAlarmModelsJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      `${origin} is not JSON (${detail}): save the output of aws iotevents describe-alarm-model as it is`,
      'models',
    );
  }
}

/**
 * Every model of a document mapped to its rule or refused; a name given twice is refused the
 * second time. `maxModels` bounds the models of one call (the mutation's).
 */
export function planImport(
  document: unknown,
  mapping: AlarmModelMapping,
  maxModels = Number.POSITIVE_INFINITY,
): ModelPlan[] {
  const models = alarmModelsOf(document);
  if (models.length > maxModels) {
    throw new ValidationError(
      `${models.length} alarm models in one import; at most ${maxModels}: split the list, or use npm run import-iot-events, which takes any number`,
      'models',
    );
  }
  const seen = new Map<string, number>();
  return models.map((model, index) => {
    const plan = planAlarmModel(model, index, mapping);
    if (plan.name !== null && plan.rule !== null) {
      const first = seen.get(plan.name);
      if (first !== undefined) {
        return refuse(
          plan,
          `alarmModelName ${plan.name} is also model ${first}: each model once per import (the first is imported)`,
        );
      }
      seen.set(plan.name, index);
    }
    return plan;
  });
}

/** One alarm model as a rule, or refused with every reason found. */
export function planAlarmModel(
  model: unknown,
  index: number,
  mapping: AlarmModelMapping,
): ModelPlan {
  const plan: ModelPlan = {
    index,
    name: null,
    version: null,
    rule: null,
    reasons: [],
    toConfigure: [],
    notes: [],
    ignored: [],
    inputProperty: null,
    severity: null,
  };
  if (!isObject(model)) {
    plan.reasons.push(`model ${index} is not an object: an alarm model is a JSON object`);
    return plan;
  }
  const reasons = plan.reasons;
  const name = text(model.alarmModelName, 'alarmModelName', 1, 128, reasons, true);
  if (name !== null && !NAME_PATTERN.test(name)) {
    reasons.push(
      `alarmModelName may contain only letters, digits, _ and -; got '${shorten(name)}'`,
    );
  } else if (name !== null && name.length > maxImportedModelName) {
    reasons.push(
      `alarmModelName is ${name.length} characters; rule ids are at most ${limits.maxIdLength}, so an imported model's name at most ${maxImportedModelName}: rename the model`,
    );
  }
  plan.name = typeof model.alarmModelName === 'string' ? model.alarmModelName : null;
  const version = text(model.alarmModelVersion, 'alarmModelVersion', 1, 128, reasons);
  plan.version = version;
  const description = text(model.alarmModelDescription, 'alarmModelDescription', 0, 1024, reasons);
  const key = text(model.key, 'key', 1, 128, reasons);
  if (key !== null && !KEY_PATTERN.test(key)) {
    reasons.push(
      `key must be an input attribute path such as deviceId or a.b; got '${shorten(key)}'`,
    );
  }
  const level = severityLevel(model.severity, mapping, reasons, plan.notes);
  if (typeof model.severity === 'number') plan.severity = model.severity;
  const condition = simpleRule(model.alarmRule, mapping, plan);
  const { latch, enabled } = capabilities(model.alarmCapabilities, plan);
  toConfigure(model.alarmNotification, model.alarmEventActions, name, plan);

  for (const field of Object.keys(model)) {
    if (!modelFields.has(field)) {
      plan.ignored.push(field);
      plan.notes.push(`unknown field ignored: ${field} (not a field of IoT Events alarm models)`);
    } else if (unusedModelFields.has(field)) plan.ignored.push(field);
  }
  plan.notes.push(
    key === null
      ? 'no key: IoT Events kept one alarm for the model; the rule watches every device, one episode per device'
      : `key ${key}: one episode per device, as IoT Events kept one alarm per key value; the rule watches every device`,
  );
  if (reasons.length > 0 || name === null || condition === null) return plan;

  const input = {
    ...condition,
    severity: level,
    enabled,
    latch,
    name,
    description,
  };
  try {
    requireMetric(input.metric, 'metric');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return refuse(
      plan,
      `metric '${shorten(input.metric)}' (from inputProperty) is not a metric name here, which takes letters, digits and . _ : / - only: map the inputProperty to a metric with --metric <inputProperty>=<metric> (metrics in the mutation)`,
    );
  }
  plan.rule = {
    id: `${IMPORTED_RULE_PREFIX}${name}`,
    input,
    source: { kind: 'IOT_EVENTS', name, version },
  };
  return plan;
}

function refuse(plan: ModelPlan, reason: string): ModelPlan {
  return { ...plan, rule: null, reasons: [...plan.reasons, reason] };
}

/** alarmRule.simpleRule as the metric, operator and threshold of a rule. */
function simpleRule(
  alarmRule: unknown,
  mapping: AlarmModelMapping,
  plan: ModelPlan,
): { metric: string; operator: Operator; threshold: number } | null {
  const reasons = plan.reasons;
  if (!isObject(alarmRule)) {
    reasons.push('alarmRule is required: an object with a simpleRule');
    return null;
  }
  noteUnknown(alarmRule, ['simpleRule'], 'alarmRule', plan);
  const rule = alarmRule.simpleRule;
  if (!isObject(rule)) {
    reasons.push(
      'alarmRule.simpleRule is required: { inputProperty, comparisonOperator, threshold }',
    );
    return null;
  }
  noteUnknown(
    rule,
    ['inputProperty', 'comparisonOperator', 'threshold'],
    'alarmRule.simpleRule',
    plan,
  );
  const property = text(
    rule.inputProperty,
    'alarmRule.simpleRule.inputProperty',
    1,
    512,
    reasons,
    true,
  );
  const comparison = rule.comparisonOperator;
  const operator = typeof comparison === 'string' ? operatorsByComparison[comparison] : undefined;
  if (operator === undefined) {
    reasons.push(
      `alarmRule.simpleRule.comparisonOperator must be one of ${Object.keys(operatorsByComparison).join(', ')}; got '${shorten(String(comparison))}'`,
    );
  }
  const threshold = constantThreshold(rule.threshold, reasons);
  plan.inputProperty = property;
  const metric = property === null ? null : metricOf(property, mapping, reasons, plan.notes);
  if (metric === null || operator === undefined || threshold === null) return null;
  return { metric, operator, threshold };
}

/** A threshold written as a number; one naming an input attribute is no constant. */
function constantThreshold(value: unknown, reasons: string[]): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const threshold = text(value, 'alarmRule.simpleRule.threshold', 1, 512, reasons, true);
  if (threshold === null) return null;
  const trimmed = threshold.trim();
  if (NUMBER_PATTERN.test(trimmed) && Number.isFinite(Number(trimmed))) return Number(trimmed);
  reasons.push(
    /\$(input|sitewise)\./.test(trimmed)
      ? `threshold ${shorten(trimmed)} names an input attribute, not a constant: a rule here compares with a fixed number; write the value into the model's threshold and import it again`
      : `threshold '${shorten(trimmed)}' is not a number: a rule here compares with a fixed number such as "60" or "-2.5"`,
  );
  return null;
}

/**
 * The mappings no model of the import used, each with what to check: an inputProperty is
 * matched exactly as the model writes it, so a mapping that applies to nothing is most often
 * misspelt, and the models it meant took the default.
 */
export function unusedMappings(plans: readonly ModelPlan[], mapping: AlarmModelMapping): string[] {
  const properties = new Set(plans.map((plan) => plan.inputProperty));
  const severities = new Set(plans.map((plan) => plan.severity));
  return [
    ...[...mapping.metrics]
      .filter(([property]) => !properties.has(property))
      .map(
        ([property, metric]) =>
          `metric mapping ${shorten(property)}=${metric} applies to no model: no alarmRule.simpleRule.inputProperty is ${shorten(property)} (it must match exactly, e.g. $input.Boiler.sensors.temp)`,
      ),
    ...[...mapping.severities]
      .filter(([severity]) => !severities.has(severity))
      .map(
        ([severity, level]) =>
          `severity mapping ${severity}=${level} applies to no model: no model has severity ${severity}`,
      ),
  ];
}

/** The metric of an inputProperty: the map's, or the last segment of `$input.<InputName>.<path>`. */
function metricOf(
  property: string,
  mapping: AlarmModelMapping,
  reasons: string[],
  notes: string[],
): string | null {
  const mapped = mapping.metrics.get(property);
  if (mapped !== undefined) {
    notes.push(`metric ${mapped}: mapped from ${property}`);
    return mapped;
  }
  const segments = property.match(/`[^`]*`|[^.]+/g) ?? [];
  if (segments[0] !== '$input' || segments.length < 3) {
    reasons.push(
      property.startsWith('$sitewise.')
        ? `inputProperty ${shorten(property)} is an IoT SiteWise asset property: map it to a metric with --metric ${property}=<metric> (metrics in the mutation)`
        : `inputProperty ${shorten(property)} is not $input.<InputName>.<path>: map it to a metric with --metric ${property}=<metric> (metrics in the mutation)`,
    );
    return null;
  }
  const metric = (segments.at(-1) as string).replace(/^`|`$/g, '');
  notes.push(
    `metric ${metric}: the last path segment of ${property} (map another with --metric, or metrics in the mutation)`,
  );
  return metric;
}

/** The severity number's level, with a note saying which mapping chose it. */
function severityLevel(
  value: unknown,
  mapping: AlarmModelMapping,
  reasons: string[],
  notes: string[],
): Severity {
  if (value === undefined || value === null) {
    notes.push("no severity: WARNING, the rules' default");
    return 'WARNING';
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > SEVERITY_MAX) {
    reasons.push(
      `severity must be a whole number from 0 to ${SEVERITY_MAX}; got ${shorten(JSON.stringify(value))}`,
    );
    return 'WARNING';
  }
  const mapped = mapping.severities.get(value);
  const level = mapped ?? defaultSeverityLevel(value);
  notes.push(`severity ${value}: ${level} (${mapped ? 'your mapping' : 'the default mapping'})`);
  return level;
}

/** acknowledgeFlow as latch, disabledOnInitialization as a rule created disabled. */
function capabilities(value: unknown, plan: ModelPlan): { latch: boolean; enabled: boolean } {
  const reasons = plan.reasons;
  const absentFlow =
    'no acknowledgeFlow: the rule does not latch, its alerts resolve when the condition clears (set latch on the rule to keep them until acknowledged)';
  if (value === undefined || value === null) {
    plan.notes.push(absentFlow);
    return { latch: false, enabled: true };
  }
  if (!isObject(value)) {
    reasons.push('alarmCapabilities must be an object');
    return { latch: false, enabled: true };
  }
  noteUnknown(value, ['acknowledgeFlow', 'initializationConfiguration'], 'alarmCapabilities', plan);
  let latch = false;
  const flow = value.acknowledgeFlow;
  if (flow === undefined || flow === null) plan.notes.push(absentFlow);
  else if (!isObject(flow) || typeof flow.enabled !== 'boolean') {
    reasons.push('alarmCapabilities.acknowledgeFlow.enabled must be true or false');
  } else {
    noteUnknown(flow, ['enabled'], 'alarmCapabilities.acknowledgeFlow', plan);
    latch = flow.enabled;
    plan.notes.push(
      latch
        ? 'acknowledge flow on: the rule latches (an alert whose condition cleared stays LATCHED until acknowledged)'
        : 'acknowledge flow off: the rule does not latch, its alerts resolve when the condition clears',
    );
  }
  let enabled = true;
  const init = value.initializationConfiguration;
  if (init !== undefined && init !== null) {
    if (!isObject(init) || typeof init.disabledOnInitialization !== 'boolean') {
      reasons.push(
        'alarmCapabilities.initializationConfiguration.disabledOnInitialization must be true or false',
      );
    } else {
      noteUnknown(
        init,
        ['disabledOnInitialization'],
        'alarmCapabilities.initializationConfiguration',
        plan,
      );
      enabled = !init.disabledOnInitialization;
      if (!enabled) {
        plan.notes.push(
          'disabledOnInitialization: a new rule is created disabled; enable it when it should alert',
        );
      }
    }
  }
  return { latch, enabled };
}

/** Where an alarm action went in IoT Events, by the action's kind. */
const actionTargets: Readonly<
  Record<string, { kind: string; target: (a: Record<string, unknown>) => unknown }>
> = {
  sns: { kind: 'SNS', target: (a) => a.targetArn },
  lambda: { kind: 'Lambda', target: (a) => a.functionArn },
  sqs: { kind: 'SQS', target: (a) => a.queueUrl },
  firehose: { kind: 'Firehose', target: (a) => a.deliveryStreamName },
  iotTopicPublish: { kind: 'IoT topic', target: (a) => a.mqttTopic },
  iotEvents: { kind: 'IoT Events input', target: (a) => a.inputName },
  iotSiteWise: { kind: 'IoT SiteWise', target: (a) => a.propertyAlias ?? a.assetId },
  dynamoDB: { kind: 'DynamoDB', target: (a) => a.tableName },
  dynamoDBv2: { kind: 'DynamoDB', target: (a) => a.tableName },
};

/** What the SNS alerts topic offers in place of an action of this kind. */
function instead(kind: string, filter: string): string {
  const subscribe = (what: string) =>
    `subscribe ${what} to the alerts topic (AlertsTopicArn) with the filter policy ${filter}`;
  switch (kind) {
    case 'SNS':
      return subscribe("that topic's endpoints");
    case 'Lambda':
      return subscribe('the function (protocol lambda)');
    case 'SQS':
      return subscribe('the queue (protocol sqs, raw message delivery)');
    case 'Firehose':
      return subscribe('the delivery stream (protocol firehose)');
    case 'e-mail':
      return subscribe('each address (protocol email)');
    case 'SMS':
      return subscribe('each phone number (protocol sms)');
    default:
      return `${subscribe('a Lambda function (protocol lambda) that forwards the alert')}, or follow the onAlert subscription`;
  }
}

/** alarmNotification and alarmEventActions: each one listed with what to set up instead. */
function toConfigure(
  notification: unknown,
  events: unknown,
  name: string | null,
  plan: ModelPlan,
): void {
  const filter = `{"ruleId":["${IMPORTED_RULE_PREFIX}${name ?? '<name>'}"]}`;
  const add = (kind: string, target: unknown) =>
    plan.toConfigure.push({
      kind,
      target: typeof target === 'string' && target !== '' ? target : null,
      instead: instead(kind, filter),
    });
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  if (isObject(notification)) {
    for (const action of list(notification.notificationActions)) {
      if (!isObject(action)) continue;
      const lambda = isObject(action.action) ? action.action.lambdaAction : undefined;
      if (isObject(lambda)) add('Lambda', lambda.functionArn);
      for (const email of list(action.emailConfigurations)) {
        const to = isObject(email) && isObject(email.recipients) ? list(email.recipients.to) : [];
        add('e-mail', recipients(to, isObject(email) ? email.from : undefined));
      }
      for (const sms of list(action.smsConfigurations)) {
        add('SMS', recipients(isObject(sms) ? list(sms.recipients) : []));
      }
    }
  }
  if (isObject(events)) {
    for (const action of list(events.alarmActions)) {
      if (!isObject(action)) continue;
      for (const [kind, detail] of Object.entries(action)) {
        const known = actionTargets[kind];
        add(known?.kind ?? kind, known && isObject(detail) ? known.target(detail) : null);
      }
    }
  }
}

/** IAM Identity Center recipients, by user id, for the report. */
function recipients(list: unknown[], from?: unknown): string {
  const users = list
    .map((r) => (isObject(r) && isObject(r.ssoIdentity) ? r.ssoIdentity.userId : undefined))
    .filter((id): id is string => typeof id === 'string');
  const to = users.length > 0 ? `SSO users ${users.join(', ')}` : `${list.length} recipients`;
  return typeof from === 'string' ? `from ${from} to ${to}` : to;
}

function noteUnknown(
  object: Record<string, unknown>,
  known: string[],
  at: string,
  plan: ModelPlan,
) {
  for (const field of Object.keys(object)) {
    if (!known.includes(field)) {
      plan.ignored.push(`${at}.${field}`);
      plan.notes.push(
        `unknown field ignored: ${at}.${field} (not a field of IoT Events alarm models)`,
      );
    }
  }
}

/** An optional (or, `required`, a required) string of the API within its length bounds. */
function text(
  value: unknown,
  field: string,
  min: number,
  max: number,
  reasons: string[],
  required = false,
): string | null {
  if (value === undefined || value === null) {
    if (required) reasons.push(`${field} is required`);
    return null;
  }
  if (typeof value !== 'string') {
    reasons.push(
      `${field} must be a string; got ${shorten(JSON.stringify(value) ?? String(value))}`,
    );
    return null;
  }
  if (value.length < min || value.length > max) {
    reasons.push(`${field} must be ${min} to ${max} characters; got ${value.length}`);
    return null;
  }
  return value;
}

/**
 * The mapping an import is given (the mutation's `metrics` and `severities`, the command
 * line's --metric and --severity), checked: a metric a rule can take, a severity number as
 * models have it, each given once.
 */
export function alarmModelMapping(
  metrics: readonly { inputProperty: unknown; metric: unknown }[] | null | undefined,
  levels: readonly { severity: unknown; level: unknown }[] | null | undefined,
): AlarmModelMapping {
  const mapping = { metrics: new Map<string, string>(), severities: new Map<number, Severity>() };
  (metrics ?? []).forEach(({ inputProperty, metric }, i) => {
    if (
      typeof inputProperty !== 'string' ||
      inputProperty.length === 0 ||
      inputProperty.length > 512
    ) {
      throw new ValidationError(
        `metrics[${i}].inputProperty must be an inputProperty as the model writes it (1 to 512 characters), e.g. $input.Boiler.sensors.temp`,
        `metrics[${i}].inputProperty`,
      );
    }
    if (mapping.metrics.has(inputProperty)) {
      throw new ValidationError(
        `metrics[${i}] maps ${shorten(inputProperty)} again: map each inputProperty once`,
        `metrics[${i}].inputProperty`,
      );
    }
    mapping.metrics.set(inputProperty, requireMetric(metric, `metrics[${i}].metric`));
  });
  (levels ?? []).forEach(({ severity, level }, i) => {
    const number = requireSeverityNumber(severity, `severities[${i}].severity`);
    if (mapping.severities.has(number)) {
      throw new ValidationError(
        `severities[${i}] maps severity ${number} again: map each number once`,
        `severities[${i}].severity`,
      );
    }
    mapping.severities.set(number, requireSeverityLevel(level, `severities[${i}].level`));
  });
  return mapping;
}

/** A severity level of the mapping, for the command line's --severity and the mutation. */
export function requireSeverityLevel(value: unknown, field: string): Severity {
  if (typeof value === 'string' && (severities as readonly string[]).includes(value)) {
    return value as Severity;
  }
  throw new ValidationError(
    `${field} must be one of ${severities.join(', ')}; got '${shorten(String(value))}'`,
    field,
  );
}

/** A severity number of the mapping: as alarm models have it, 0 to 2147483647. */
export function requireSeverityNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > SEVERITY_MAX) {
    throw new ValidationError(
      `${field} must be a whole number from 0 to ${SEVERITY_MAX}; got ${shorten(String(value))}`,
      field,
    );
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const shorten = (value: string) => truncate(value, 80);
