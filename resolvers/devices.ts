import type { AppSyncResolverEvent } from 'aws-lambda';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { devices, health, refreshMs, work } from '../adapters/wiring/devices.ts';
import { sendTargetChange } from '../domain/target-change.ts';
import {
  type Device,
  deviceView,
  healthy,
  parseDeviceChange,
  parseDeviceFilter,
} from '../domain/device.ts';
import { NotFoundError } from '../domain/errors.ts';
import { pageRequest } from '../domain/pagination.ts';
import { requireId } from '../domain/validation.ts';
import type {
  MutationDeleteDeviceArgs,
  MutationUpdateDeviceArgs,
  QueryDeviceArgs,
  QueryDevicesArgs,
} from '../generated/graphql.ts';

type Event = AppSyncResolverEvent<Record<string, unknown>>;

/**
 * The devices with their health, read only when the query asks for it (a Query of the
 * alerts per device): `prefix` is where the device sits in the selection, e.g. `items/`.
 */
async function withHealth(list: Device[], event: Event, prefix = '') {
  const selected = event.info.selectionSetList ?? [];
  const wanted = ['openAlerts', 'worstSeverity'].some((f) => selected.includes(`${prefix}${f}`));
  const known = wanted ? await health.healthOf(list.map((device) => device.id)) : new Map();
  return list.map((device) => deviceView(device, known.get(device.id) ?? healthy));
}

/** The fleet: list, show, name and label devices, remove them from the inventory. */
export const handler = appSyncResolver({
  'Query.devices': async (args: QueryDevicesArgs, event) => {
    const filter = parseDeviceFilter(args.filter);
    const page = await devices.list(filter, pageRequest(args, { devices: filter }));
    return { items: await withHealth(page.items, event, 'items/'), nextToken: page.nextToken };
  },
  'Query.device': async ({ id }: QueryDeviceArgs, event) => {
    const device = await devices.get(requireId(id, 'id'));
    return device ? ((await withHealth([device], event))[0] ?? null) : null;
  },
  'Mutation.updateDevice': async ({ id, input }: MutationUpdateDeviceArgs, event) => {
    const deviceId = requireId(id, 'id');
    const change = parseDeviceChange(input);
    const device = await devices.update(deviceId, change);
    if (!device) throw new NotFoundError(`No device with id '${id}'`);
    if (change.labels !== undefined) {
      await sendTargetChange(work, { type: 'deviceLabelsChanged', deviceId }, refreshMs);
    }
    return (await withHealth([device], event))[0];
  },
  'Mutation.deleteDevice': async ({ id }: MutationDeleteDeviceArgs) => {
    const deviceId = requireId(id, 'id');
    if (!(await devices.delete(deviceId))) throw new NotFoundError(`No device with id '${id}'`);
    // Without labels, selector rules that needed them no longer apply to its alerts.
    await sendTargetChange(work, { type: 'deviceLabelsChanged', deviceId }, refreshMs);
    return { id: deviceId, deleted: true };
  },
});
