import type { Notification } from '../domain/episode.ts';
import {
  addToGroup,
  type GroupDefaults,
  type GroupingDeps,
  groupOf,
  type NotificationGrouping,
} from '../domain/notification-groups.ts';
import type { AlertNotifier } from '../domain/ports.ts';

/**
 * The worker's e-mail channel: each notification joins its group (domain/notification-groups.ts)
 * durably before `notify` returns; the group goes out later as one SNS message. The group is
 * the rule's, as the worker's rule index holds it now; a rule deleted or disabled meanwhile
 * groups with the defaults.
 */
export class GroupingNotifier implements AlertNotifier {
  readonly #rules: () => Promise<{ get(id: string): NotificationGrouping | undefined }>;
  readonly #defaults: GroupDefaults;
  readonly #deps: GroupingDeps;

  constructor(
    rules: () => Promise<{ get(id: string): NotificationGrouping | undefined }>,
    defaults: GroupDefaults,
    deps: GroupingDeps,
  ) {
    this.#rules = rules;
    this.#defaults = defaults;
    this.#deps = deps;
  }

  async notify(notification: Notification): Promise<void> {
    const rule = (await this.#rules()).get(notification.alert.ruleId);
    await addToGroup(notification, groupOf(notification.alert, rule, this.#defaults), this.#deps);
  }
}
