import { randomUUID } from 'node:crypto';
import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { refreshMs, silences, work } from '../adapters/wiring/silence-editing.ts';
import { NotFoundError } from '../domain/errors.ts';
import {
  maintenanceWindowView,
  newMaintenanceWindow,
  replaceMaintenanceWindow,
} from '../domain/maintenance-window.ts';
import { pageRequest } from '../domain/pagination.ts';
import { sendRelease } from '../domain/silence-cache.ts';
import {
  expireSilence,
  newSilence,
  type Silence,
  silenceStates,
  silenceView,
} from '../domain/silences.ts';
import { requireId, requireOneOf } from '../domain/validation.ts';
import type {
  MutationCreateMaintenanceWindowArgs,
  MutationCreateSilenceArgs,
  MutationDeleteMaintenanceWindowArgs,
  MutationExpireSilenceArgs,
  MutationUpdateMaintenanceWindowArgs,
  QueryMaintenanceWindowArgs,
  QueryMaintenanceWindowsArgs,
  QuerySilenceArgs,
  QuerySilencesArgs,
} from '../generated/graphql.ts';

async function existingSilence(id: string): Promise<Silence> {
  const silence = await silences.getSilence(requireId(id, 'id'));
  if (!silence) throw new NotFoundError(`No silence with id '${id}'`);
  return silence;
}

/**
 * Ends a silence now and tells the worker to release the alerts it held. One expired
 * already is returned as it was; one changed meanwhile (expired by someone else) is read again.
 */
async function expire(id: string, by: string): Promise<Silence> {
  for (;;) {
    const silence = await existingSilence(id);
    const now = Date.now();
    const expired = expireSilence(silence, now, by);
    if (expired === silence) return silence;
    if (await silences.expireSilence(expired, silence.endsAt)) {
      await sendRelease(work, id, refreshMs);
      return expired;
    }
  }
}

/** Silences and maintenance windows: create, expire, change, delete and list them. */
export const handler = appSyncResolver({
  'Mutation.createSilence': async ({ input }: MutationCreateSilenceArgs, event) => {
    const now = Date.now();
    const silence = newSilence(input, randomUUID(), now, callerOf(event.identity).name);
    await silences.createSilence(silence);
    return silenceView(silence, now);
  },
  'Mutation.expireSilence': async ({ id }: MutationExpireSilenceArgs, event) =>
    silenceView(await expire(id, callerOf(event.identity).name), Date.now()),
  'Mutation.createMaintenanceWindow': async (
    { input }: MutationCreateMaintenanceWindowArgs,
    event,
  ) => {
    const now = Date.now();
    const window = newMaintenanceWindow(input, randomUUID(), now, callerOf(event.identity).name);
    await silences.createWindow(window);
    return maintenanceWindowView(window, now);
  },
  'Mutation.updateMaintenanceWindow': async (
    { id, input }: MutationUpdateMaintenanceWindowArgs,
    event,
  ) => {
    const { name } = callerOf(event.identity);
    const window = await silences.getWindow(requireId(id, 'id'));
    if (!window) throw new NotFoundError(`No maintenance window with id '${id}'`);
    const now = Date.now();
    const updated = replaceMaintenanceWindow(window, input, now, name);
    if (!(await silences.replaceWindow(updated))) {
      throw new NotFoundError(`No maintenance window with id '${id}'`);
    }
    // A window changed so that it no longer mutes now releases what it held at once; one still
    // muting keeps it (the release checks).
    await sendRelease(work, id, refreshMs);
    return maintenanceWindowView(updated, now);
  },
  'Mutation.deleteMaintenanceWindow': async ({ id }: MutationDeleteMaintenanceWindowArgs) => {
    if (!(await silences.deleteWindow(requireId(id, 'id')))) {
      throw new NotFoundError(`No maintenance window with id '${id}'`);
    }
    await sendRelease(work, id, refreshMs);
    return { id, deleted: true };
  },
  'Query.silences': async (args: QuerySilencesArgs) => {
    const state =
      args.state === null || args.state === undefined
        ? null
        : requireOneOf(args.state, silenceStates, 'state');
    const now = Date.now();
    const page = await silences.listSilences(state, now, pageRequest(args, { silences: state }));
    return { ...page, items: page.items.map((silence) => silenceView(silence, now)) };
  },
  'Query.silence': async ({ id }: QuerySilenceArgs) => {
    const silence = await silences.getSilence(requireId(id, 'id'));
    return silence && silenceView(silence, Date.now());
  },
  'Query.maintenanceWindows': async (args: QueryMaintenanceWindowsArgs) => {
    const now = Date.now();
    const page = await silences.listWindows(pageRequest(args, { maintenanceWindows: true }));
    return { ...page, items: page.items.map((window) => maintenanceWindowView(window, now)) };
  },
  'Query.maintenanceWindow': async ({ id }: QueryMaintenanceWindowArgs) => {
    const window = await silences.getWindow(requireId(id, 'id'));
    return window && maintenanceWindowView(window, Date.now());
  },
});
