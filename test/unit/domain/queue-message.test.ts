import { describe, expect, it } from 'vitest';
import { decodeQueueMessage, readingKey } from '../../../domain/queue-message.ts';

const reading = {
  id: 'r1',
  deviceId: 'D1',
  metric: 'cpu',
  value: 1,
  timestamp: '2026-05-01T12:00:00.000Z',
};

describe('decodeQueueMessage', () => {
  it('given what ingest sends, a single reading or a work message, then each is recognised', () => {
    expect(
      decodeQueueMessage(JSON.stringify({ readings: [reading, { ...reading, id: 'r2' }] })),
    ).toEqual({
      kind: 'readings',
      readings: [reading, { ...reading, id: 'r2' }],
    });
    expect(decodeQueueMessage(JSON.stringify(reading))).toEqual({
      kind: 'readings',
      readings: [reading],
    });
    expect(decodeQueueMessage('{"type":"closeRule","ruleId":"x","extra":1}')).toEqual({
      kind: 'work',
      message: { type: 'closeRule', ruleId: 'x' },
    });
    expect(decodeQueueMessage('{"type":"acknowledgeAlert","alertId":"a"}')).toEqual({
      kind: 'work',
      message: { type: 'acknowledgeAlert', alertId: 'a' },
    });
    expect(
      decodeQueueMessage(
        '{"type":"resetAlert","alertId":"a","by":"op","at":"2026-05-01T12:00:00.000Z"}',
      ),
    ).toEqual({
      kind: 'work',
      message: { type: 'resetAlert', alertId: 'a', by: 'op', at: '2026-05-01T12:00:00.000Z' },
    });
    // Queued before acknowledgements changed an alert's state: read as an acknowledgement.
    expect(decodeQueueMessage('{"type":"pushAlert","alertId":"a"}')).toEqual({
      kind: 'work',
      message: { type: 'acknowledgeAlert', alertId: 'a' },
    });
  });

  it.each([
    ['not JSON', '{oops'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['an empty readings list', '{"readings":[]}'],
    [
      'a list with one bad reading',
      JSON.stringify({ readings: [reading, { ...reading, value: 'x' }] }),
    ],
    ['a reading without a timestamp', JSON.stringify({ ...reading, timestamp: undefined })],
    ['an unknown work type', '{"type":"dropTables"}'],
    ['a work message missing its id', '{"type":"closeRule"}'],
    ['a reset missing who reset it', '{"type":"resetAlert","alertId":"a","at":"x"}'],
  ])('given %s, then it is a poison record', (_, body) => {
    expect(decodeQueueMessage(body)).toBeNull();
  });
});

describe('readingKey', () => {
  it('given the same reading id on two devices, then the keys differ', () => {
    expect(readingKey(reading)).not.toBe(readingKey({ ...reading, deviceId: 'D2' }));
  });
});

describe('decodeQueueMessage: a device relabelled', () => {
  it('given deviceLabelsChanged with a device id, then it is a work message; without one, a poison record', () => {
    expect(decodeQueueMessage('{"type":"deviceLabelsChanged","deviceId":"D1","x":1}')).toEqual({
      kind: 'work',
      message: { type: 'deviceLabelsChanged', deviceId: 'D1' },
    });
    expect(decodeQueueMessage('{"type":"deviceLabelsChanged","deviceId":7}')).toBeNull();
  });
});

describe('decodeQueueMessage: a rule whose selector changed', () => {
  const selector = [{ key: 'site', operator: 'EQ', values: ['berlin'] }];

  it('given ruleTargetChanged with a rule id and a selector, then it is a work message carrying the selector', () => {
    const body = JSON.stringify({ type: 'ruleTargetChanged', ruleId: 'r1', selector, x: 1 });
    expect(decodeQueueMessage(body)).toEqual({
      kind: 'work',
      message: { type: 'ruleTargetChanged', ruleId: 'r1', selector },
    });
  });

  it.each([
    ['no rule id', { type: 'ruleTargetChanged', selector }],
    ['no selector', { type: 'ruleTargetChanged', ruleId: 'r1' }],
    ['a null selector', { type: 'ruleTargetChanged', ruleId: 'r1', selector: null }],
    ['an empty selector', { type: 'ruleTargetChanged', ruleId: 'r1', selector: [] }],
    [
      'a matcher with an unknown operator',
      { type: 'ruleTargetChanged', ruleId: 'r1', selector: [{ key: 'site', operator: 'LIKE' }] },
    ],
  ])('given ruleTargetChanged with %s, then it is a poison record', (_, message) => {
    expect(decodeQueueMessage(JSON.stringify(message))).toBeNull();
  });
});

describe('decodeQueueMessage: a mute ended', () => {
  it('given releaseMute with a mute id, then it is a work message; without one, a poison record', () => {
    expect(decodeQueueMessage('{"type":"releaseMute","muteId":"s1","x":1}')).toEqual({
      kind: 'work',
      message: { type: 'releaseMute', muteId: 's1' },
    });
    expect(decodeQueueMessage('{"type":"releaseMute"}')).toBeNull();
  });
});

describe('decodeQueueMessage: a notification group due', () => {
  it('given flushGroup with a group key, then it is a work message; without one, a poison record', () => {
    expect(decodeQueueMessage('{"type":"flushGroup","groupKey":"r1#ab12","x":1}')).toEqual({
      kind: 'work',
      message: { type: 'flushGroup', groupKey: 'r1#ab12' },
    });
    expect(decodeQueueMessage('{"type":"flushGroup"}')).toBeNull();
    expect(decodeQueueMessage('{"type":"flushGroup","groupKey":["r1"]}')).toBeNull();
  });
});
