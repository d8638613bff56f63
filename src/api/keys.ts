// API keys of the integration API. A key is `prom_` and 54 base64url characters: 320 random
// bits, of which the first 8 characters (48 bits) are kept in clear as the visible prefix, so the
// part that stays secret still holds 272 bits. Only the SHA-256 of the whole key is stored; the
// key is shown once, at creation.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.ts';

export const SCOPES = ['intake', 'status', 'results', 'identifiers'] as const;
export type ApiScope = (typeof SCOPES)[number];

const KEY_PREFIX = 'prom_';
const VISIBLE = KEY_PREFIX.length + 8;
/** The shape of a key as presented; anything else is refused without a database look-up. */
export const KEY_PATTERN = /^prom_[A-Za-z0-9_-]{54}$/;

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  /** Empty: every hospital. */
  hospitals: string[];
}

export interface ApiKeyListing extends ApiKey {
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export class ApiKeyRefused extends Error {}

export const newKeySchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
        'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      ),
    scopes: z
      .array(z.enum(SCOPES, { message: `must be among ${SCOPES.join(', ')}` }))
      .min(1, 'needs at least one --scope'),
    hospitals: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a hospital code such as OUS'),
      )
      .default([]),
    createdBy: z.string().min(1),
  })
  .refine((k) => !k.scopes.includes('identifiers') || k.scopes.includes('results'), {
    message: 'identifiers only widens results: give --scope results too',
    path: ['scopes'],
  });

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Creates a key and returns it in clear, the only time it is ever seen. */
export async function createApiKey(db: Db, input: z.input<typeof newKeySchema>): Promise<ApiKey & { key: string }> {
  const k = newKeySchema.parse(input);
  const scopes = [...new Set(k.scopes)];
  const hospitals = [...new Set(k.hospitals)];
  const key = KEY_PREFIX + randomBytes(40).toString('base64url');
  const prefix = key.slice(0, VISIBLE);
  const clash = await db
    .selectFrom('api_keys')
    .select('id')
    .where('name', '=', k.name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (clash)
    throw new ApiKeyRefused(
      `A key named ${k.name} is already in use (id ${clash.id}); revoke it first or choose another name.`,
    );
  const row = await db
    .insertInto('api_keys')
    .values({ name: k.name, prefix, key_hash: hashKey(key), scopes, hospitals, created_by: k.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, name: k.name, prefix, scopes, hospitals, key };
}

/** Revokes at once; returns the key's name, or undefined if there is no such key in use. */
export async function revokeApiKey(db: Db, id: number, now: Date): Promise<string | undefined> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('name')
    .executeTakeFirst();
  return row?.name;
}

export async function listApiKeys(db: Db): Promise<ApiKeyListing[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes as ApiScope[],
    hospitals: r.hospitals,
    createdBy: r.created_by,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

export type KeyLookup = { found: ApiKey } | { refused: 'malformed' | 'unknown' | 'revoked'; prefix?: string };

/** Finds the key in use for a presented key string. The prefix is returned only for a revoked key. */
export async function findApiKey(db: Db, presented: string): Promise<KeyLookup> {
  if (!KEY_PATTERN.test(presented)) return { refused: 'malformed' };
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'scopes', 'hospitals', 'revoked_at'])
    .where('key_hash', '=', hashKey(presented))
    .executeTakeFirst();
  if (!row) return { refused: 'unknown' };
  if (row.revoked_at) return { refused: 'revoked', prefix: row.prefix };
  return {
    found: {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      scopes: row.scopes as ApiScope[],
      hospitals: row.hospitals,
    },
  };
}

/** Marks a key as used, at most once a minute (keeps the write load of busy keys low). */
export async function touchApiKey(db: Db, id: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]),
    )
    .execute();
}
