import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ env: 'test', log: { level: 'debug' } }, stream) };
}

describe('logger redaction', () => {
  test('when secrets appear at any of the first levels, then none reaches the output', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2-top',
        body: { refreshToken: 'rt-secret-value', nested: { token: 'tok-secret-value' } },
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=cookie-secret' } },
        user: { email: 'ada@example.com', passwordHash: '$2b$12$hashhashhash' },
      },
      'event',
    );
    const out = lines.join('');
    for (const secret of [
      'hunter2-top',
      'rt-secret-value',
      'tok-secret-value',
      'abc.def.ghi',
      'cookie-secret',
      '$2b$12$',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('ada@example.com');
    expect(out).toContain('[REDACTED]');
  });
});
