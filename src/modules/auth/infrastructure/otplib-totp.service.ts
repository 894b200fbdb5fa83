import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { TotpService } from '../domain/ports';

/** One step (30 s) of clock drift either way, as RFC 6238 section 5.2 recommends. */
const DRIFT_SECONDS = 30;

/** RFC 6238 with the authenticator-app defaults (SHA-1, 6 digits, 30 s), 160-bit seeds. */
export class OtplibTotpService implements TotpService {
  generateSecret(): string {
    return generateSecret({ length: 20 });
  }

  keyUri(input: { issuer: string; account: string; secret: string }): string {
    return generateURI({ issuer: input.issuer, label: input.account, secret: input.secret });
  }

  async qrCode(uri: string): Promise<string> {
    const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  }

  async verify(input: { secret: string; code: string; now: Date }): Promise<number | null> {
    const result = await verify({
      secret: input.secret,
      token: input.code,
      epoch: Math.floor(input.now.getTime() / 1000),
      epochTolerance: DRIFT_SECONDS,
    });
    // The functional API also serves HOTP; a TOTP result carries its time step.
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }
}
