// The second factor: TOTP (RFC 6238, 6 digits, 30 s, SHA-1 — what every authenticator app
// speaks) through otplib. Secrets are stored encrypted with AES-256-GCM under a key derived from
// the session secret, bound to the user's id, and are never shown again after enrolment.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

const TOTP_ISSUER = 'PROM registerpersonell';
const PERIOD_S = 30;

/** A 32-byte key for secrets at rest; a different label than cookie signing, so the two never mix. */
export function totpKeyFrom(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'prom-staff', 'totp-secret-v1', 32));
}

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** `v1.` + base64url(iv ‖ tag ‖ ciphertext); the user id is authenticated data, so a secret copied to another row fails. */
export function encryptSecret(key: Buffer, userId: number, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`staff:${userId}`));
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
}

export function decryptSecret(key: Buffer, userId: number, stored: string): string {
  if (!stored.startsWith('v1.')) throw new Error('unknown TOTP secret format');
  const raw = Buffer.from(stored.slice(3), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(`staff:${userId}`));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** The time step a code matched, or undefined. Accepts one step either side for clock drift; a step at or before `afterStep` is a replay. */
export async function checkCode(
  secret: string,
  code: string,
  now: Date,
  afterStep: number | null,
): Promise<number | undefined> {
  const token = code.replace(/\s+/g, '');
  if (!/^[0-9]{6}$/.test(token)) return undefined;
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: PERIOD_S,
    ...(afterStep == null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** The code an authenticator shows at `now` (tests, and nothing else, need this). */
export function codeAt(secret: string, now: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
}

export function otpauthUri(email: string, secret: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

/** The enrolment QR code as a PNG data: URL (CSP allows img-src data:). */
export function qrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, scale: 5 });
}

/** Groups of four for typing the key by hand (screen-reader users cannot scan a QR code). */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}
