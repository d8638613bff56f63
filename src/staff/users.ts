// Staff accounts: argon2id password hashes; roles admin, registrar (own hospitals), analyst.
// Lockout: LOCK_AFTER wrong passwords or codes in a row lock the account for LOCK_MINUTES.
import argon2 from 'argon2';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { StaffRole, StaffUser } from '../db/schema.ts';
import { Refusal } from '../refusal.ts';

export const ROLES = ['admin', 'registrar', 'analyst'] as const satisfies readonly StaffRole[];
const LOCK_AFTER = 5;
const LOCK_MINUTES = 15;

const hospitalCode = z.string().trim().min(1).max(32, 'a hospital code has at most 32 characters');

/** A registrar's hospitals, as set on an existing account: at least one code. */
export const registrarHospitalsSchema = z.array(hospitalCode).min(1, 'a registrar needs at least one --hospital');

export const newUserSchema = z
  .object({
    email: z.email('must be a valid e-mail address').transform((e) => e.toLowerCase()),
    role: z.enum(ROLES, { message: 'must be admin, registrar or analyst' }),
    hospitals: z.array(hospitalCode).default([]),
    password: z.string().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters'),
  })
  .refine((u) => u.role !== 'registrar' || u.hospitals.length > 0, {
    message: 'a registrar needs at least one --hospital',
    path: ['hospital'],
  });

export type NewUser = z.input<typeof newUserSchema>;

export class UserExists extends Refusal {}
export class UserNotFound extends Error {}

export async function addUser(db: Db, input: NewUser): Promise<{ id: number; email: string; role: StaffRole }> {
  const u = newUserSchema.parse(input);
  const password_hash = await argon2.hash(u.password, { type: argon2.argon2id });
  const row = await db
    .insertInto('staff_users')
    // Only a registrar is scoped to hospitals; other roles keep none.
    .values({ email: u.email, role: u.role, hospitals: u.role === 'registrar' ? u.hospitals : [], password_hash })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'role'])
    .executeTakeFirst();
  if (!row) throw new UserExists(`A user with the e-mail ${u.email} already exists.`);
  return row;
}

export type LoginCheck =
  { ok: true; user: StaffUser } | { ok: false; reason: 'wrong' | 'locked' | 'disabled'; user?: StaffUser };

/**
 * Checks a password. An unknown e-mail costs the same time as a wrong password; a locked or
 * disabled account answers like a wrong password to the browser (the route decides), but the
 * reason is returned for the audit log. A wrong password counts towards the lockout.
 */
export async function checkPassword(db: Db, email: string, password: string, now: Date): Promise<LoginCheck> {
  const user = await findByEmail(db, email);
  const hash = user?.password_hash ?? DUMMY_HASH;
  const ok = await argon2.verify(hash, password).catch(() => false);
  if (!user) return { ok: false, reason: 'wrong' };
  if (user.disabled_at) return { ok: false, reason: 'disabled', user };
  if (isLocked(user, now)) return { ok: false, reason: 'locked', user };
  if (!ok) {
    await recordFailure(db, user.id, now);
    return { ok: false, reason: 'wrong', user };
  }
  return { ok: true, user };
}

export function isLocked(user: Pick<StaffUser, 'locked_until'>, now: Date): boolean {
  return user.locked_until !== null && new Date(user.locked_until).getTime() > now.getTime();
}

/** One more failure; the LOCK_AFTER-th in a row locks the account and starts the count again. */
export async function recordFailure(db: Db, userId: number, now: Date): Promise<{ locked: boolean }> {
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
  const row = await db
    .updateTable('staff_users')
    .set({
      failed_logins: sql`CASE WHEN failed_logins + 1 >= ${LOCK_AFTER} THEN 0 ELSE failed_logins + 1 END`,
      locked_until: sql`CASE WHEN failed_logins + 1 >= ${LOCK_AFTER} THEN ${lockUntil}::timestamptz ELSE locked_until END`,
    })
    .where('id', '=', userId)
    .returning('locked_until')
    .executeTakeFirst();
  // Failures are only recorded while the account is open, so a lock now is this failure's doing.
  return { locked: row !== undefined && isLocked(row, now) };
}

export async function recordSuccess(db: Db, userId: number, now: Date): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ failed_logins: 0, locked_until: null, last_login_at: now })
    .where('id', '=', userId)
    .execute();
}

async function findByEmail(db: Db, email: string): Promise<StaffUser | undefined> {
  return db.selectFrom('staff_users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findById(db: Db, id: number): Promise<StaffUser | undefined> {
  return db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
}

async function requireByEmail(db: Db, email: string): Promise<StaffUser> {
  const user = await findByEmail(db, email);
  if (!user) throw new UserNotFound(`No staff user with the e-mail ${email.trim().toLowerCase()}.`);
  return user;
}

/** Disables an account and ends all its sessions (ASVS 7.4.2). Idempotent. */
export async function disableUser(db: Db, email: string, now: Date): Promise<StaffUser> {
  const user = await requireByEmail(db, email);
  await db
    .updateTable('staff_users')
    .set({ disabled_at: now })
    .where('id', '=', user.id)
    .where('disabled_at', 'is', null)
    .execute();
  await endSessionsOf(db, user.id);
  return user;
}

export async function enableUser(db: Db, email: string): Promise<StaffUser> {
  const user = await requireByEmail(db, email);
  await db
    .updateTable('staff_users')
    .set({ disabled_at: null, failed_logins: 0, locked_until: null })
    .where('id', '=', user.id)
    .execute();
  return user;
}

/** Forgets the authenticator: the next login enrols a new one. Ends the user's sessions too. */
export async function resetSecondFactor(db: Db, email: string): Promise<StaffUser> {
  const user = await requireByEmail(db, email);
  await db
    .updateTable('staff_users')
    .set({ totp_secret: null, totp_enrolled_at: null, totp_last_step: null })
    .where('id', '=', user.id)
    .execute();
  await endSessionsOf(db, user.id);
  return user;
}

export async function setHospitals(db: Db, userId: number, hospitals: string[]): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({ hospitals: registrarHospitalsSchema.parse(hospitals) })
    .where('id', '=', userId)
    .execute();
}

/**
 * Ends every session of one staff user — signed in, or half-way through the login — straight in
 * the session table (rows hold the session as JSON). Returns how many ended.
 */
export async function endSessionsOf(db: Db, userId: number): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb(sql`data->'staff'->>'id'`, '=', String(userId)),
        eb(sql`data->'staffLogin'->>'userId'`, '=', String(userId)),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countSessions(db: Db): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('sessions')
    .select([sql<string>`data->'staff'->>'id'`.as('user_id'), sql<number>`count(*)::int`.as('n')])
    .where(sql`data->'staff'->>'id'`, 'is not', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .groupBy(sql`data->'staff'->>'id'`)
    .execute();
  return new Map(rows.map((r) => [Number(r.user_id), r.n]));
}

export interface StaffListEntry {
  id: number;
  email: string;
  role: StaffRole;
  hospitals: string[];
  enrolled: boolean;
  disabled: boolean;
  locked: boolean;
  lastLoginAt: Date | null;
}

export async function listUsers(db: Db, now: Date): Promise<StaffListEntry[]> {
  const rows = await db.selectFrom('staff_users').selectAll().orderBy('email').execute();
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    role: u.role,
    hospitals: u.hospitals,
    enrolled: u.totp_enrolled_at !== null,
    disabled: u.disabled_at !== null,
    locked: isLocked(u, now),
    lastLoginAt: u.last_login_at,
  }));
}

// A real argon2id hash of a random string, so unknown accounts take as long as known ones.
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$cuseSAvE9q7ZNmETd+qf8w$icZkv8rexJtQqh6lr1X9Lh5EExH6kC2NGunzfN2bU1g';
