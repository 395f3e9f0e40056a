/**
 * Every GraphQL operation the console sends. graphql-codegen reads these documents and writes
 * their variable and result types into generated/graphql.ts, beside the schema's own types,
 * so a query and the code that reads its result cannot drift apart.
 */
import type {
  AcknowledgeAlertMutation,
  AcknowledgeAlertMutationVariables,
  AlertsQuery,
  AlertsQueryVariables,
  BacktestRuleQuery,
  BacktestRuleQueryVariables,
  CreateDeviceCredentialMutation,
  CreateDeviceCredentialMutationVariables,
  CreateMaintenanceWindowMutation,
  CreateMaintenanceWindowMutationVariables,
  CreateRuleMutation,
  CreateRuleMutationVariables,
  CreateSilenceMutation,
  CreateSilenceMutationVariables,
  DeleteDeviceMutation,
  DeleteDeviceMutationVariables,
  DeleteMaintenanceWindowMutation,
  DeleteMaintenanceWindowMutationVariables,
  DeleteRuleMutation,
  DeleteRuleMutationVariables,
  DeviceCredentialsQuery,
  DeviceCredentialsQueryVariables,
  DeviceQuery,
  DeviceQueryVariables,
  DevicesQuery,
  DevicesQueryVariables,
  EventsQuery,
  EventsQueryVariables,
  ExpireSilenceMutation,
  ExpireSilenceMutationVariables,
  MaintenanceWindowQuery,
  MaintenanceWindowQueryVariables,
  MaintenanceWindowsQuery,
  MaintenanceWindowsQueryVariables,
  OnAlertSubscription,
  OnAlertSubscriptionVariables,
  ResetAlertMutation,
  ResetAlertMutationVariables,
  RevokeDeviceCredentialMutation,
  RevokeDeviceCredentialMutationVariables,
  RulesQuery,
  RulesQueryVariables,
  SetRuleEnabledMutation,
  SetRuleEnabledMutationVariables,
  SilenceQuery,
  SilenceQueryVariables,
  SilencesQuery,
  SilencesQueryVariables,
  SnoozeAlertMutation,
  SnoozeAlertMutationVariables,
  SystemStatusQuery,
  SystemStatusQueryVariables,
  UpdateDeviceMutation,
  UpdateDeviceMutationVariables,
  UpdateMaintenanceWindowMutation,
  UpdateMaintenanceWindowMutationVariables,
  UpdateRuleMutation,
  UpdateRuleMutationVariables,
} from '../../generated/console-operations.ts';

/** A GraphQL document that carries its variables' and result's types. */
export type Operation<Variables, Result> = string & {
  readonly __variables?: Variables;
  readonly __result?: Result;
};

const fragments = {
  AlertFields: /* GraphQL */ `
    fragment AlertFields on Alert {
      id
      ruleId
      ruleName
      deviceId
      metric
      value
      threshold
      operator
      severity
      status
      reason
      eventId
      eventTimestamp
      firedAt
      resolvedAt
      acknowledgedAt
      acknowledgedBy
      notifiedAt
      resolution
      silenced
      silenceId
      flapping
    }
  `,
  RuleFields: /* GraphQL */ `
    fragment RuleFields on Rule {
      id
      deviceId
      selector {
        key
        operator
        values
      }
      metric
      operator
      threshold
      enabled
      severity
      name
      description
      forReadings
      windowSeconds
      aggregation
      clearThreshold
      noDataSeconds
      repeatIntervalSeconds
      groupBy
      groupWaitSeconds
      groupIntervalSeconds
      flapDetection
      flapHighPercent
      flapLowPercent
      latch
      source {
        kind
        name
        version
      }
      createdAt
      createdBy
      updatedAt
      updatedBy
    }
  `,
  DeviceFields: /* GraphQL */ `
    fragment DeviceFields on Device {
      id
      name
      labels {
        key
        value
      }
      firstSeenAt
      lastSeenAt
      latest {
        metric
        value
        timestamp
      }
      openAlerts
      worstSeverity
    }
  `,
  DeviceCredentialFields: /* GraphQL */ `
    fragment DeviceCredentialFields on DeviceCredential {
      id
      name
      deviceIds
      deviceIdPrefix
      createdAt
      createdBy
      lastUsedAt
      revokedAt
      revokedBy
    }
  `,
  SilenceFields: /* GraphQL */ `
    fragment SilenceFields on Silence {
      id
      matchers {
        ruleId
        deviceId
        metric
        severities
        labels {
          key
          operator
          values
        }
      }
      startsAt
      endsAt
      comment
      notifyResolved
      state
      createdAt
      createdBy
      expiredAt
      expiredBy
    }
  `,
  MaintenanceWindowFields: /* GraphQL */ `
    fragment MaintenanceWindowFields on MaintenanceWindow {
      id
      name
      timeZone
      periods {
        days
        start
        end
      }
      startsOn
      endsOn
      matchers {
        ruleId
        deviceId
        metric
        severities
        labels {
          key
          operator
          values
        }
      }
      notifyResolved
      active
      createdAt
      createdBy
      updatedAt
      updatedBy
    }
  `,
};

/** The operation's text with the definitions of the fragments it spreads appended. */
function document(text: string): string {
  const used = Object.entries(fragments).filter(([name]) => text.includes(`...${name}`));
  return [text, ...used.map(([, fragment]) => fragment)].join('');
}

export const alertsQuery = document(/* GraphQL */ `
  query Alerts($deviceId: ID, $from: AWSDateTime, $limit: Int, $nextToken: String) {
    alerts(deviceId: $deviceId, from: $from, limit: $limit, nextToken: $nextToken) {
      items {
        ...AlertFields
      }
      nextToken
    }
  }
`) as Operation<AlertsQueryVariables, AlertsQuery>;

export const onAlertSubscription = document(/* GraphQL */ `
  subscription OnAlert($deviceId: ID) {
    onAlert(deviceId: $deviceId) {
      ...AlertFields
    }
  }
`) as Operation<OnAlertSubscriptionVariables, OnAlertSubscription>;

export const acknowledgeAlertMutation = document(/* GraphQL */ `
  mutation AcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) {
      ...AlertFields
    }
  }
`) as Operation<AcknowledgeAlertMutationVariables, AcknowledgeAlertMutation>;

export const snoozeAlertMutation = document(/* GraphQL */ `
  mutation SnoozeAlert($id: ID!, $seconds: Int!) {
    snoozeAlert(id: $id, seconds: $seconds) {
      ...AlertFields
    }
  }
`) as Operation<SnoozeAlertMutationVariables, SnoozeAlertMutation>;

export const resetAlertMutation = document(/* GraphQL */ `
  mutation ResetAlert($id: ID!) {
    resetAlert(id: $id) {
      ...AlertFields
    }
  }
`) as Operation<ResetAlertMutationVariables, ResetAlertMutation>;

export const rulesQuery = document(/* GraphQL */ `
  query Rules($limit: Int, $nextToken: String) {
    rules(limit: $limit, nextToken: $nextToken) {
      items {
        ...RuleFields
      }
      nextToken
    }
  }
`) as Operation<RulesQueryVariables, RulesQuery>;

export const createRuleMutation = document(/* GraphQL */ `
  mutation CreateRule($input: CreateRuleInput!) {
    createRule(input: $input) {
      ...RuleFields
    }
  }
`) as Operation<CreateRuleMutationVariables, CreateRuleMutation>;

export const updateRuleMutation = document(/* GraphQL */ `
  mutation UpdateRule($id: ID!, $input: UpdateRuleInput!) {
    updateRule(id: $id, input: $input) {
      ...RuleFields
    }
  }
`) as Operation<UpdateRuleMutationVariables, UpdateRuleMutation>;

export const setRuleEnabledMutation = document(/* GraphQL */ `
  mutation SetRuleEnabled($id: ID!, $enabled: Boolean!) {
    setRuleEnabled(id: $id, enabled: $enabled) {
      ...RuleFields
    }
  }
`) as Operation<SetRuleEnabledMutationVariables, SetRuleEnabledMutation>;

export const deleteRuleMutation = document(/* GraphQL */ `
  mutation DeleteRule($id: ID!) {
    deleteRule(id: $id) {
      id
      deleted
    }
  }
`) as Operation<DeleteRuleMutationVariables, DeleteRuleMutation>;

/** A draft rule replayed over stored readings: the episodes it would have fired. */
export const backtestRuleQuery = document(/* GraphQL */ `
  query BacktestRule($input: BacktestInput!) {
    backtestRule(input: $input) {
      from
      to
      episodes {
        deviceId
        reason
        startedAt
        endedAt
        latchedAt
        eventId
        value
        peak
        readingsBreached
      }
      episodeCount
      episodesTruncated
      readingsReplayed
      devices {
        deviceId
        readings
        episodes
      }
      notes
    }
  }
`) as Operation<BacktestRuleQueryVariables, BacktestRuleQuery>;

export const eventsQuery = document(/* GraphQL */ `
  query Events($deviceId: ID!, $from: AWSDateTime, $limit: Int, $nextToken: String) {
    events(deviceId: $deviceId, from: $from, limit: $limit, nextToken: $nextToken) {
      items {
        id
        metric
        value
        timestamp
      }
      nextToken
    }
  }
`) as Operation<EventsQueryVariables, EventsQuery>;

export const devicesQuery = document(/* GraphQL */ `
  query Devices($filter: DeviceFilter, $limit: Int, $nextToken: String) {
    devices(filter: $filter, limit: $limit, nextToken: $nextToken) {
      items {
        ...DeviceFields
      }
      nextToken
    }
  }
`) as Operation<DevicesQueryVariables, DevicesQuery>;

export const deviceQuery = document(/* GraphQL */ `
  query Device($id: ID!) {
    device(id: $id) {
      ...DeviceFields
    }
  }
`) as Operation<DeviceQueryVariables, DeviceQuery>;

export const updateDeviceMutation = document(/* GraphQL */ `
  mutation UpdateDevice($id: ID!, $input: UpdateDeviceInput!) {
    updateDevice(id: $id, input: $input) {
      ...DeviceFields
    }
  }
`) as Operation<UpdateDeviceMutationVariables, UpdateDeviceMutation>;

export const deleteDeviceMutation = document(/* GraphQL */ `
  mutation DeleteDevice($id: ID!) {
    deleteDevice(id: $id) {
      id
      deleted
    }
  }
`) as Operation<DeleteDeviceMutationVariables, DeleteDeviceMutation>;

export const deviceCredentialsQuery = document(/* GraphQL */ `
  query DeviceCredentials($limit: Int, $nextToken: String) {
    deviceCredentials(limit: $limit, nextToken: $nextToken) {
      items {
        ...DeviceCredentialFields
      }
      nextToken
    }
  }
`) as Operation<DeviceCredentialsQueryVariables, DeviceCredentialsQuery>;

export const createDeviceCredentialMutation = document(/* GraphQL */ `
  mutation CreateDeviceCredential($input: CreateDeviceCredentialInput!) {
    createDeviceCredential(input: $input) {
      credential {
        ...DeviceCredentialFields
      }
      token
    }
  }
`) as Operation<CreateDeviceCredentialMutationVariables, CreateDeviceCredentialMutation>;

export const revokeDeviceCredentialMutation = document(/* GraphQL */ `
  mutation RevokeDeviceCredential($id: ID!) {
    revokeDeviceCredential(id: $id) {
      ...DeviceCredentialFields
    }
  }
`) as Operation<RevokeDeviceCredentialMutationVariables, RevokeDeviceCredentialMutation>;

export const systemStatusQuery = document(/* GraphQL */ `
  query SystemStatus($minutes: Int) {
    systemStatus(minutes: $minutes) {
      readAt
      queueDepth
      queueInFlight
      deadLetterDepth
      oldestMessageAgeSeconds
      periodSeconds
      readingsAccepted {
        at
        value
      }
      readingsEvaluated {
        at
        value
      }
      evaluationLagP50 {
        at
        value
      }
      evaluationLagP99 {
        at
        value
      }
      oldestMessageAge {
        at
        value
      }
    }
  }
`) as Operation<SystemStatusQueryVariables, SystemStatusQuery>;

export const silencesQuery = document(/* GraphQL */ `
  query Silences($state: SilenceState, $limit: Int, $nextToken: String) {
    silences(state: $state, limit: $limit, nextToken: $nextToken) {
      items {
        ...SilenceFields
      }
      nextToken
    }
  }
`) as Operation<SilencesQueryVariables, SilencesQuery>;

export const silenceQuery = document(/* GraphQL */ `
  query Silence($id: ID!) {
    silence(id: $id) {
      ...SilenceFields
    }
  }
`) as Operation<SilenceQueryVariables, SilenceQuery>;

export const createSilenceMutation = document(/* GraphQL */ `
  mutation CreateSilence($input: CreateSilenceInput!) {
    createSilence(input: $input) {
      ...SilenceFields
    }
  }
`) as Operation<CreateSilenceMutationVariables, CreateSilenceMutation>;

export const expireSilenceMutation = document(/* GraphQL */ `
  mutation ExpireSilence($id: ID!) {
    expireSilence(id: $id) {
      ...SilenceFields
    }
  }
`) as Operation<ExpireSilenceMutationVariables, ExpireSilenceMutation>;

export const maintenanceWindowsQuery = document(/* GraphQL */ `
  query MaintenanceWindows($limit: Int, $nextToken: String) {
    maintenanceWindows(limit: $limit, nextToken: $nextToken) {
      items {
        ...MaintenanceWindowFields
      }
      nextToken
    }
  }
`) as Operation<MaintenanceWindowsQueryVariables, MaintenanceWindowsQuery>;

export const maintenanceWindowQuery = document(/* GraphQL */ `
  query MaintenanceWindow($id: ID!) {
    maintenanceWindow(id: $id) {
      ...MaintenanceWindowFields
    }
  }
`) as Operation<MaintenanceWindowQueryVariables, MaintenanceWindowQuery>;

export const createMaintenanceWindowMutation = document(/* GraphQL */ `
  mutation CreateMaintenanceWindow($input: MaintenanceWindowInput!) {
    createMaintenanceWindow(input: $input) {
      ...MaintenanceWindowFields
    }
  }
`) as Operation<CreateMaintenanceWindowMutationVariables, CreateMaintenanceWindowMutation>;

export const updateMaintenanceWindowMutation = document(/* GraphQL */ `
  mutation UpdateMaintenanceWindow($id: ID!, $input: MaintenanceWindowInput!) {
    updateMaintenanceWindow(id: $id, input: $input) {
      ...MaintenanceWindowFields
    }
  }
`) as Operation<UpdateMaintenanceWindowMutationVariables, UpdateMaintenanceWindowMutation>;

export const deleteMaintenanceWindowMutation = document(/* GraphQL */ `
  mutation DeleteMaintenanceWindow($id: ID!) {
    deleteMaintenanceWindow(id: $id) {
      id
      deleted
    }
  }
`) as Operation<DeleteMaintenanceWindowMutationVariables, DeleteMaintenanceWindowMutation>;
