import { describe, expect, it } from 'vitest';
import { thresholdAlert } from '../../../domain/alert.ts';
import { alertInput } from '../../../adapters/appsync-alert-publisher.ts';
import { messageAttributes } from '../../../adapters/sns-alert-notifier.ts';
import { describeGroup } from '../../../domain/group-message.ts';
import { alertsTopic } from '../../../infra/resources.ts';
import { reading, rule } from '../../support/builders.ts';

const fired = (labels?: Record<string, string>) =>
  thresholdAlert(
    rule('hot', { severity: 'CRITICAL' }),
    reading('r', 75, 0),
    75,
    '2026-05-01T12:00:01.000Z',
    labels,
  );

/** The one message a group of these alerts' firings sends. */
const messageOf = (...alerts: ReturnType<typeof fired>[]) => {
  const entries = alerts.map((alert, i) => ({
    id: `${alert.id}/FIRING@${i}`,
    kind: 'FIRING' as const,
    alert,
    addedAt: i,
  }));
  const [first] = describeGroup({ ruleId: 'hot', labels: [] }, entries);
  if (!first) throw new Error('no message');
  return first.message;
};

describe('SNS message attributes of a group message', () => {
  it('given one labelled device, then labels is one String.Array of key=value, sorted, beside the rule, severity, kinds and device', () => {
    const attributes = messageAttributes(
      messageOf(fired({ site: 'berlin', model: 'b200', note: 'a "b"' })),
    );
    expect(attributes).toEqual({
      ruleId: { DataType: 'String', StringValue: 'hot' },
      severity: { DataType: 'String', StringValue: 'CRITICAL' },
      kind: { DataType: 'String.Array', StringValue: '["FIRING"]' },
      labels: {
        DataType: 'String.Array',
        StringValue: '["model=b200","note=a \\"b\\"","site=berlin"]',
      },
      deviceId: { DataType: 'String', StringValue: 'D1' },
    });
    expect(JSON.parse(attributes.labels?.StringValue ?? '')).toContain('site=berlin');
  });

  it('given alerts of several devices, then there is no deviceId and labels holds each label once', () => {
    const other = { ...fired({ site: 'paris' }), id: 'other', deviceId: 'D2' };
    const attributes = messageAttributes(messageOf(fired({ site: 'berlin' }), other));
    expect(attributes.deviceId).toBeUndefined();
    expect(JSON.parse(attributes.labels?.StringValue ?? '')).toEqual(['site=berlin', 'site=paris']);
  });

  it('given alerts without labels, or stored before labels, then there is no labels attribute', () => {
    expect(Object.keys(messageAttributes(messageOf(fired())))).toEqual([
      'ruleId',
      'severity',
      'kind',
      'deviceId',
    ]);
    expect(messageAttributes(messageOf({ ...fired(), labels: null })).labels).toBeUndefined();
  });

  it('given the documented attribute list, then it names exactly what is sent', () => {
    expect(Object.keys(messageAttributes(messageOf(fired({ site: 'berlin' })))).sort()).toEqual(
      [...alertsTopic.messageAttributes].sort(),
    );
  });
});

describe('the publishAlert input of an alert', () => {
  it('given an alert resolved with a reason while flapping, then the input has the labels, the reason, the flapping mark and exactly the alert fields', () => {
    const alert = {
      ...fired({ site: 'berlin' }),
      status: 'RESOLVED' as const,
      silenced: true,
      silenceId: 'silence-1',
      resolution: "the device no longer matches the rule's selector",
      flapping: true,
    };
    const input = alertInput(alert);
    expect(input.labels).toEqual([{ key: 'site', value: 'berlin' }]);
    expect([input.silenced, input.silenceId]).toEqual([true, 'silence-1']);
    expect(input.resolution).toBe("the device no longer matches the rule's selector");
    expect(input.flapping).toBe(true);
    expect(Object.keys(input).sort()).toEqual(Object.keys(alert).sort());
  });

  it('given a firing alert, or one stored before resolutions were kept, then its resolution is null', () => {
    const alert = fired({ site: 'berlin' });
    expect(alert).not.toHaveProperty('resolution');
    expect(alertInput(alert).resolution).toBeNull();
    expect(alertInput({ ...alert, status: 'RESOLVED' }).resolution).toBeNull();
  });
});
