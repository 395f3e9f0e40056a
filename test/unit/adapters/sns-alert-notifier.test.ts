import { describe, expect, it } from 'vitest';
import { thresholdAlert } from '../../../domain/alert.ts';
import { alertInput } from '../../../adapters/appsync-alert-publisher.ts';
import { messageAttributes } from '../../../adapters/sns-alert-notifier.ts';
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

describe('SNS message attributes of an alert', () => {
  it('given a labelled device, then labels is one String.Array of key=value, sorted by key, beside the others', () => {
    const attributes = messageAttributes(fired({ site: 'berlin', model: 'b200', note: 'a "b"' }));
    expect(attributes).toEqual({
      deviceId: { DataType: 'String', StringValue: 'D1' },
      severity: { DataType: 'String', StringValue: 'CRITICAL' },
      ruleId: { DataType: 'String', StringValue: 'hot' },
      labels: {
        DataType: 'String.Array',
        StringValue: '["model=b200","note=a \\"b\\"","site=berlin"]',
      },
    });
    expect(JSON.parse(attributes.labels?.StringValue ?? '')).toContain('site=berlin');
  });

  it('given a device without labels, or an alert stored before labels, then there is no labels attribute', () => {
    expect(Object.keys(messageAttributes(fired()))).toEqual(['deviceId', 'severity', 'ruleId']);
    expect(messageAttributes({ ...fired(), labels: null }).labels).toBeUndefined();
  });

  it('given the documented attribute list, then it names exactly what is sent', () => {
    expect(Object.keys(messageAttributes(fired({ site: 'berlin' }))).sort()).toEqual(
      [...alertsTopic.messageAttributes].sort(),
    );
  });
});

describe('the publishAlert input of an alert', () => {
  it('given an alert resolved with a reason, then the input has the labels, the reason and exactly the alert fields', () => {
    const alert = {
      ...fired({ site: 'berlin' }),
      status: 'RESOLVED' as const,
      silenced: true,
      silenceId: 'silence-1',
      resolution: "the device no longer matches the rule's selector",
    };
    const input = alertInput(alert);
    expect(input.labels).toEqual([{ key: 'site', value: 'berlin' }]);
    expect([input.silenced, input.silenceId]).toEqual([true, 'silence-1']);
    expect(input.resolution).toBe("the device no longer matches the rule's selector");
    expect(Object.keys(input).sort()).toEqual(Object.keys(alert).sort());
  });

  it('given a firing alert, or one stored before resolutions were kept, then its resolution is null', () => {
    const alert = fired({ site: 'berlin' });
    expect(alert).not.toHaveProperty('resolution');
    expect(alertInput(alert).resolution).toBeNull();
    expect(alertInput({ ...alert, status: 'RESOLVED' }).resolution).toBeNull();
  });
});
