import { Webhook } from 'standardwebhooks';
import { newSigningSecret, signatureHeader } from './signature';
import { nextRetryDelaySeconds } from './webhook';

describe('webhook signatures', () => {
  test('when a body is signed, then the standardwebhooks library verifies it with the secret', () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ type: 'workspace:updated', data: { workspaceId: 'x' } });
    const id = 'msg_1';
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': signatureHeader([secret], id, ts, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  test('when two secrets sign (a rotation overlap), then either verifies, and a third does not', () => {
    const [current, previous, other] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    const body = '{"a":1}';
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(ts),
      'webhook-signature': signatureHeader([current, previous], 'm', ts, body),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
  });

  test('when the body is altered after signing, then verification fails', () => {
    const secret = newSigningSecret();
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(ts),
      'webhook-signature': signatureHeader([secret], 'm', ts, '{"a":1}'),
    };
    expect(() => new Webhook(secret).verify('{"a":2}', headers)).toThrow();
  });
});

describe('webhook retry schedule', () => {
  const policy = { baseSeconds: 30, windowSeconds: 86_400 };
  const start = new Date('2026-12-04T00:00:00Z');
  const noJitter = () => 0;

  test('when retries follow each other, then each waits twice as long as the one before', () => {
    let now = start;
    const delays: number[] = [];
    for (let retry = 1; ; retry++) {
      const delay = nextRetryDelaySeconds(retry, start, now, policy, noJitter);
      if (delay === null) break;
      delays.push(delay);
      now = new Date(now.getTime() + delay * 1000);
    }
    expect(delays.slice(0, 4)).toEqual([30, 60, 120, 240]);
    // The last retry starts within 24 h of the first attempt; the next one would not.
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(86_400);
    expect(total + delays[delays.length - 1]! * 2).toBeGreaterThan(86_400);
  });

  test('when jitter applies, then it adds at most 10 %', () => {
    expect(nextRetryDelaySeconds(1, start, start, policy, () => 1)).toBeCloseTo(33);
  });

  test('when the window is over, then there is no retry', () => {
    const late = new Date(start.getTime() + 86_400_000);
    expect(nextRetryDelaySeconds(1, start, late, policy, noJitter)).toBeNull();
  });
});
