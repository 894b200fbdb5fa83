import { build, PASSWORD, seedUser } from './build.test-support';
import { authFixture, FakeTotp } from './fakes.test-support';

const CREDENTIALS = { email: 'ada@example.com', password: PASSWORD };

/** A user with TOTP active (enrolled and verified at the fixture's time), and their recovery codes. */
async function enrolled() {
  const f = authFixture();
  const uc = build(f);
  const user = await seedUser(f);
  const enrolment = await uc.enrolTotp.execute({ userId: user.id });
  const { recoveryCodes } = await uc.activateTotp.execute({ userId: user.id, code: FakeTotp.codeAt(f.clock.now()) });
  f.clock.advance(30); // the activation code's step is spent
  return { f, uc, user, enrolment, recoveryCodes };
}

async function passwordStep(uc: ReturnType<typeof build>) {
  const result = await uc.loginUser.execute(CREDENTIALS);
  if (!('mfaRequired' in result)) throw new Error('expected the MFA step');
  return result;
}

describe('TOTP enrolment', () => {
  test('when a user enrols and verifies a code, then MFA is on and ten distinct recovery codes are shown once', async () => {
    const { f, uc, user, enrolment, recoveryCodes } = await enrolled();

    expect(enrolment.otpauthUri).toContain(enrolment.secret);
    expect(enrolment.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await uc.mfaStatus.isEnabled(user.id)).toBe(true);
    expect(recoveryCodes.every((code) => /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/.test(code))).toBe(true);
    expect(f.audit.actions()).toEqual(expect.arrayContaining(['auth.mfa.enrolment_started', 'auth.mfa.enabled']));
  });

  test('when the first code is wrong, then MFA stays off', async () => {
    const f = authFixture();
    const uc = build(f);
    const user = await seedUser(f);
    await uc.enrolTotp.execute({ userId: user.id });

    await expect(uc.activateTotp.execute({ userId: user.id, code: '000000' })).rejects.toMatchObject({
      code: 'MFA_CODE_INVALID',
    });
    expect(await uc.mfaStatus.isEnabled(user.id)).toBe(false);
  });

  test('when MFA is already on, then a new enrolment is refused with MFA_ALREADY_ENABLED', async () => {
    const { uc, user } = await enrolled();
    await expect(uc.enrolTotp.execute({ userId: user.id })).rejects.toMatchObject({ code: 'MFA_ALREADY_ENABLED' });
  });
});

describe('CompleteMfaChallenge', () => {
  test('when the password matches, then only an MFA token comes back; with a code, the session starts', async () => {
    const { f, uc } = await enrolled();

    const pending = await passwordStep(uc);
    expect(pending).toEqual({ mfaRequired: true, mfaToken: expect.stringMatching(/^mfa_/), expiresIn: 300 });
    expect(f.sessions.sessions.size).toBe(0);

    const signedIn = await uc.completeMfa.execute({ mfaToken: pending.mfaToken, code: FakeTotp.codeAt(f.clock.now()) });

    await expect(uc.authenticator.authenticate(signedIn.accessToken)).resolves.toBeDefined();
    expect(f.audit.entries.at(-1)).toMatchObject({ action: 'auth.login.succeeded', metadata: { mfa: 'totp' } });
  });

  test('when the MFA token was used or expired, then MFA_TOKEN_INVALID', async () => {
    const { f, uc } = await enrolled();
    const used = await passwordStep(uc);
    await uc.completeMfa.execute({ mfaToken: used.mfaToken, code: FakeTotp.codeAt(f.clock.now()) });
    const late = await passwordStep(uc);
    f.clock.advance(301);

    for (const mfaToken of [used.mfaToken, late.mfaToken, 'mfa_unknown_token']) {
      await expect(uc.completeMfa.execute({ mfaToken, code: FakeTotp.codeAt(f.clock.now()) })).rejects.toMatchObject({
        code: 'MFA_TOKEN_INVALID',
      });
    }
  });

  test('when a code of an already used time step comes again, then MFA_CODE_REPLAYED', async () => {
    const { f, uc } = await enrolled();
    const code = FakeTotp.codeAt(f.clock.now());
    await uc.completeMfa.execute({ mfaToken: (await passwordStep(uc)).mfaToken, code });

    await expect(uc.completeMfa.execute({ mfaToken: (await passwordStep(uc)).mfaToken, code })).rejects.toMatchObject({
      code: 'MFA_CODE_REPLAYED',
    });
  });

  test('when a recovery code is used, then it works once (any case, with or without dashes)', async () => {
    const { uc, recoveryCodes } = await enrolled();
    const typed = recoveryCodes[0]!.toLowerCase().replace(/-/g, ' ');

    await expect(
      uc.completeMfa.execute({ mfaToken: (await passwordStep(uc)).mfaToken, recoveryCode: typed }),
    ).resolves.toHaveProperty('accessToken');
    await expect(
      uc.completeMfa.execute({ mfaToken: (await passwordStep(uc)).mfaToken, recoveryCode: recoveryCodes[0]! }),
    ).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
  });

  test('when five wrong codes were sent, then even the right code is refused with 429 until the window ends', async () => {
    const { f, uc } = await enrolled();
    const { mfaToken } = await passwordStep(uc);
    for (let i = 0; i < 5; i += 1) {
      await expect(uc.completeMfa.execute({ mfaToken, code: '999999' })).rejects.toMatchObject({
        code: 'MFA_CODE_INVALID',
      });
    }

    await expect(uc.completeMfa.execute({ mfaToken, code: FakeTotp.codeAt(f.clock.now()) })).rejects.toMatchObject({
      code: 'MFA_TOO_MANY_ATTEMPTS',
      kind: 'rate_limited',
    });
    f.clock.advance(901);
    const fresh = await passwordStep(uc);
    await expect(
      uc.completeMfa.execute({ mfaToken: fresh.mfaToken, code: FakeTotp.codeAt(f.clock.now()) }),
    ).resolves.toHaveProperty('accessToken');
  });
});

describe('DisableTotp', () => {
  test('when the password and a code are right, then MFA is off and sign-in is one step again', async () => {
    const { f, uc, user } = await enrolled();

    await uc.disableTotp.execute({ userId: user.id, password: PASSWORD, code: FakeTotp.codeAt(f.clock.now()) });

    expect(await uc.mfaStatus.isEnabled(user.id)).toBe(false);
    await expect(uc.login.execute(CREDENTIALS)).resolves.toHaveProperty('accessToken');
    expect(f.mfa.codes.size).toBe(0);
  });

  test('when the password is wrong, then WRONG_PASSWORD and MFA stays on', async () => {
    const { f, uc, user } = await enrolled();
    await expect(
      uc.disableTotp.execute({ userId: user.id, password: 'not the password', code: FakeTotp.codeAt(f.clock.now()) }),
    ).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(await uc.mfaStatus.isEnabled(user.id)).toBe(true);
  });

  test('when the code is wrong, then MFA_CODE_INVALID and MFA stays on', async () => {
    const { uc, user } = await enrolled();
    await expect(uc.disableTotp.execute({ userId: user.id, password: PASSWORD, code: '999999' })).rejects.toMatchObject(
      { code: 'MFA_CODE_INVALID' },
    );
    expect(await uc.mfaStatus.isEnabled(user.id)).toBe(true);
  });
});
