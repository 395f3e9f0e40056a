import { beforeEach, describe, expect, it, vi } from 'vitest';
import { signedInEvent } from '../../support/resolver-events.ts';

const silences = vi.hoisted(() => new Map<string, Record<string, unknown>>());
const windows = vi.hoisted(() => new Map<string, Record<string, unknown>>());
const sent = vi.hoisted(() => [] as unknown[]);

// The handler's wiring, with an in-memory store and work queue in place of AWS.
vi.mock('../../../adapters/wiring/silence-editing.ts', () => ({
  silences: {
    createSilence: async (silence: { id: string }) => void silences.set(silence.id, silence),
    getSilence: async (id: string) => silences.get(id) ?? null,
    expireSilence: async (expired: { id: string }, endsAt: string) => {
      if (silences.get(expired.id)?.endsAt !== endsAt) return false;
      silences.set(expired.id, expired);
      return true;
    },
    createWindow: async (window: { id: string }) => void windows.set(window.id, window),
    getWindow: async (id: string) => windows.get(id) ?? null,
    replaceWindow: async (window: { id: string }) =>
      windows.has(window.id) && Boolean(windows.set(window.id, window)),
    deleteWindow: async (id: string) => windows.delete(id),
  },
  work: {
    send: async (message: unknown, delaySeconds?: number) =>
      void sent.push(
        delaySeconds === undefined ? message : { ...(message as object), delaySeconds },
      ),
  },
  refreshMs: 2000,
}));

const { handler } = await import('../../../resolvers/silences.ts');

const asOperator = (parentTypeName: string, fieldName: string, args: Record<string, unknown>) =>
  signedInEvent('operators', `${parentTypeName as 'Query' | 'Mutation'}.${fieldName}`, args);

const mutation = (field: string, args: Record<string, unknown>) =>
  handler(asOperator('Mutation', field, args)) as Promise<Record<string, unknown>>;

const silenceInput = {
  matchers: { deviceId: 'D1' },
  endsAt: new Date(Date.now() + 3600_000).toISOString(),
  comment: 'sensor swap',
};

describe('the silences resolver: releasing what a mute held', () => {
  beforeEach(() => {
    silences.clear();
    windows.clear();
    sent.length = 0;
  });

  it('given an active silence, when it is expired, then the worker is told to release it, at once and after its refresh time', async () => {
    const created = await mutation('createSilence', { input: silenceInput });
    expect(created).toMatchObject({ state: 'ACTIVE', createdBy: 'op@example.com' });
    expect(sent).toEqual([]);

    const expired = await mutation('expireSilence', { id: created.id });
    await mutation('expireSilence', { id: created.id });

    expect(expired).toMatchObject({ state: 'EXPIRED', expiredBy: 'op@example.com' });
    // At once, and again once every worker's set has read the expiry (2 × 2 s, and a second).
    expect(sent).toEqual([
      { type: 'releaseMute', muteId: created.id },
      { type: 'releaseMute', muteId: created.id, delaySeconds: 5 },
    ]);
  });

  it('given a window, when it is changed and when it is deleted, then the worker is told each time to release what it no longer mutes', async () => {
    const created = await mutation('createMaintenanceWindow', {
      input: {
        name: 'nightly',
        timeZone: 'UTC',
        periods: [{ days: ['MONDAY'], start: '01:00', end: '02:00' }],
        matchers: { metric: 'cpu' },
      },
    });
    const input = {
      name: 'nightly',
      timeZone: 'UTC',
      periods: [{ days: ['TUESDAY'], start: '01:00', end: '02:00' }],
      matchers: { metric: 'cpu' },
    };
    await mutation('updateMaintenanceWindow', { id: created.id, input });
    expect(sent).toEqual([
      { type: 'releaseMute', muteId: created.id },
      { type: 'releaseMute', muteId: created.id, delaySeconds: 5 },
    ]);
    sent.length = 0;
    expect(await mutation('deleteMaintenanceWindow', { id: created.id })).toEqual({
      id: created.id,
      deleted: true,
    });
    expect(sent).toEqual([
      { type: 'releaseMute', muteId: created.id },
      { type: 'releaseMute', muteId: created.id, delaySeconds: 5 },
    ]);
  });

  it('given bad input, then nothing is stored and nothing sent', async () => {
    const refused = await mutation('createSilence', {
      input: { ...silenceInput, matchers: {} },
    });
    expect(refused).toEqual({
      __error: { errorType: 'ValidationError', message: expect.stringContaining('input.matchers') },
    });
    expect(silences.size).toBe(0);
    expect(sent).toEqual([]);
  });
});
