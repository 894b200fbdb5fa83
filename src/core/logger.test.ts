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

describe('logged errors', () => {
  test('when a database error carries SQL and bound values, then neither is logged', () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error('deadlock detected'), {
      name: 'SequelizeDatabaseError',
      sql: "UPDATE public.users SET password_hash = '$2b$12$abcdefghijklmnopqrstuv' WHERE id = 1",
      parameters: { tokenHash: 'f00dfeed' },
      original: { message: 'deadlock', sql: 'token_hash = f00dfeed' },
    });
    logger.error({ err }, 'request error');
    const out = lines.join('');
    expect(out).toContain('deadlock detected');
    expect(out).not.toMatch(/\$2b\$|f00dfeed|password_hash/);
  });
});
