/** Input limits, in one place so validation, the README and the tests agree. */
export const limits = {
  /** Readings in one `ingestEvents` call. */
  maxBatchSize: 1000,
  /** Alarm models in one `importAlarmModels` call (the command line takes any number). */
  maxAlarmModelsPerImport: 1000,
  /** Characters in a device id, reading id or rule id. */
  maxIdLength: 128,
  /** Characters in a metric name. */
  maxMetricLength: 128,
  /** Characters in a rule name and description. */
  maxRuleNameLength: 256,
  maxRuleDescriptionLength: 2048,
  /** Rule options. */
  maxForReadings: 1000,
  maxWindowSeconds: 24 * 3600,
  /** Readings one (rule, device) window keeps; the oldest go first beyond it. */
  maxWindowReadings: 1000,
  maxNoDataSeconds: 7 * 24 * 3600,
  maxRepeatIntervalSeconds: 7 * 24 * 3600,
  /**
   * Notification grouping (domain/notification-groups.ts): label keys a rule groups by, the
   * longest group wait (an hour) and the longest interval between two messages of a group (a
   * day).
   */
  maxGroupByKeys: 8,
  maxGroupWaitSeconds: 3600,
  maxGroupIntervalSeconds: 24 * 3600,
  /** How far ahead of the server clock a reading's timestamp may be. */
  maxFutureSkewMs: 15 * 60 * 1000,
  /** Characters in a device credential's name, and device ids it may list. */
  maxCredentialNameLength: 100,
  maxCredentialDeviceIds: 100,
  /** A device's labels (domain/labels.ts): how many, and the characters of a key and a value. */
  maxLabels: 32,
  maxLabelKeyLength: 63,
  maxLabelValueLength: 128,
  /** A label selector: matchers in it, and values of one IN or NOT_IN matcher. */
  maxSelectorMatchers: 16,
  maxMatcherValues: 64,
  /** Characters in a device's name, and in the search text of `devices`. */
  maxDeviceNameLength: 100,
  maxDeviceSearchLength: 128,
  /**
   * The device inventory's granularity: a device's `lastSeenAt` and each metric's latest value
   * are written when they move at least this far (in reading time), so a device reporting
   * every few seconds costs one write a minute, and the inventory is at most this far behind
   * its newest stored reading. A new device, a new metric or an older first reading is
   * written at once.
   */
  sightingGranularitySeconds: 60,
  /** Characters in a silence's comment and a maintenance window's name. */
  maxSilenceCommentLength: 1000,
  maxMaintenanceWindowNameLength: 100,
  /** How long `snoozeAlert` may mute one alert: a minute to 7 days, in seconds. */
  minSnoozeSeconds: 60,
  maxSnoozeSeconds: 7 * 24 * 3600,
  /** How far ahead a silence may end: a mute for longer is a maintenance window or a rule change. */
  maxSilenceDays: 366,
  /** Weekly periods of one maintenance window. */
  maxWeeklyPeriods: 28,
  /** Minutes of history `systemStatus` returns: default and maximum. */
  defaultStatusMinutes: 15,
  maxStatusMinutes: 60,
  /**
   * A backtest (domain/backtest.ts): readings it replays at most (the deployment may set fewer,
   * BACKTEST_MAX_READINGS), how long it may run (AppSync ends a request at 30 s), devices it
   * replays and episodes it lists at most.
   */
  backtestMaxReadings: 1_000_000,
  backtestDeadlineMs: 25_000,
  backtestMaxDevices: 1000,
  backtestMaxEpisodes: 1000,
  /** Page size of list queries: default and maximum. */
  defaultPageSize: 50,
  maxPageSize: 1000,
} as const;
