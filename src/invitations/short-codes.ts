// Short codes for people who got a paper letter: typed on /kode instead of following a link.
// 10 symbols from a 31-symbol alphabet without 0/O, 1/I/L (49.5 bits), shown as ABCD-EFGH-JK.
// Only the SHA-256 of the normalised code is stored; an invitation may have several codes
// (one per letter). Guessing is held back by the per-address limit on failed attempts.
import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { LinkedInvitation } from './links.ts';
import { linkStatus } from './programme.ts';

export const SHORT_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const SHORT_CODE_LENGTH = 10;
/** log2(31) × 10 ≈ 49.5 bits of randomness per code. */
export const SHORT_CODE_BITS = Math.log2(SHORT_CODE_ALPHABET.length) * SHORT_CODE_LENGTH;

/** A new random code (CSPRNG, uniform over the alphabet), formatted ABCD-EFGH-JK. */
export function newShortCode(): string {
  let raw = '';
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) raw += SHORT_CODE_ALPHABET[randomInt(SHORT_CODE_ALPHABET.length)];
  return formatShortCode(raw);
}

function formatShortCode(raw: string): string {
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/** Upper case without dashes or spaces; undefined when it cannot be a code at all. */
export function normaliseShortCode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s\-–—‐]/g, '');
  if (compact.length !== SHORT_CODE_LENGTH) return undefined;
  for (const ch of compact) if (!SHORT_CODE_ALPHABET.includes(ch)) return undefined;
  return compact;
}

function hashCode(normalised: string): Buffer {
  return createHash('sha256').update(`short-code:${normalised}`, 'utf8').digest();
}

/** Issues one more code for the invitation and returns it formatted; only its hash is kept. */
export async function issueShortCode(db: Db, invitationId: number): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newShortCode();
    const inserted = await db
      .insertInto('short_codes')
      .values({ code_hash: hashCode(normaliseShortCode(code)!), invitation_id: invitationId })
      .onConflict((oc) => oc.column('code_hash').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return code;
  }
  throw new Error('could not issue a unique short code');
}

/** The invitation a typed code belongs to, whatever its state; case, spaces and dashes do not matter. */
export async function invitationOfShortCode(db: Db, code: string) {
  const normalised = normaliseShortCode(code);
  if (!normalised) return undefined;
  return db
    .selectFrom('short_codes as c')
    .innerJoin('invitations as i', 'i.id', 'c.invitation_id')
    .select(['i.id', 'i.state', 'i.closes_on', 'i.language'])
    .where('c.code_hash', '=', hashCode(normalised))
    .executeTakeFirst();
}

/** What a typed code opens by `today` (see links.ts). */
export async function findByShortCode(db: Db, code: string, today: string): Promise<LinkedInvitation | undefined> {
  const row = await invitationOfShortCode(db, code);
  return row && { invitationId: row.id, status: linkStatus(row.state, row.closes_on, today), language: row.language };
}
