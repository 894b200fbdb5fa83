import { build, PASSWORD, seedUser } from './build.test-support';
import { authFixture } from './fakes.test-support';

describe('Authenticator', () => {
  test('when the token is valid and the session live, then it yields the principal', async () => {
    const f = authFixture();
    const uc = build(f);
    const user = await seedUser(f);
    const { accessToken } = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
    const principal = await uc.authenticator.authenticate(accessToken);
    expect(principal).toEqual(expect.objectContaining({ userId: user.id, sessionId: expect.any(String) }));
  });

  test('when the token has expired, then it is refused', async () => {
    const f = authFixture();
    const uc = build(f);
    await seedUser(f);
    const { accessToken } = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
    f.clock.advance(901);
    await expect(uc.authenticator.authenticate(accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  test('when the user is banned, then the token stops working once the session is forgotten', async () => {
    const f = authFixture();
    const uc = build(f);
    const user = await seedUser(f);
    const { accessToken } = await uc.login.execute({ email: 'ada@example.com', password: PASSWORD });
    const { sessionId } = await uc.authenticator.authenticate(accessToken);

    f.users.rows.set(user.id, { ...user.toProps(), status: 'banned' });
    await uc.issuer.forget([sessionId]);

    await expect(uc.authenticator.authenticate(accessToken)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  test('when the token names a session that does not exist, then it is refused', async () => {
    const f = authFixture();
    const uc = build(f);
    const forged = f.tokens.signAccessToken({ sub: 'user-x', sid: 'no-such-session' }).token;
    await expect(uc.authenticator.authenticate(forged)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
