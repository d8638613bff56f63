// Staff accounts: argon2id password hashes; roles admin, registrar (own hospitals), analyst.
import argon2 from 'argon2';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { StaffRole, StaffUser } from '../db/schema.ts';

export const newUserSchema = z
  .object({
    email: z.email('must be a valid e-mail address').transform((e) => e.toLowerCase()),
    role: z.enum(['admin', 'registrar', 'analyst'], { message: 'must be admin, registrar or analyst' }),
    hospitals: z.array(z.string().trim().min(1)).default([]),
    password: z.string().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters'),
  })
  .refine((u) => u.role !== 'registrar' || u.hospitals.length > 0, {
    message: 'a registrar needs at least one --hospital',
    path: ['hospital'],
  });

export type NewUser = z.input<typeof newUserSchema>;

export class UserExists extends Error {}

export async function addUser(db: Db, input: NewUser): Promise<{ id: number; email: string; role: StaffRole }> {
  const u = newUserSchema.parse(input);
  const password_hash = await argon2.hash(u.password, { type: argon2.argon2id });
  const row = await db
    .insertInto('staff_users')
    .values({ email: u.email, role: u.role, hospitals: u.hospitals, password_hash })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'role'])
    .executeTakeFirst();
  if (!row) throw new UserExists(`A user with the e-mail ${u.email} already exists.`);
  return row;
}

/** Checks a password. An unknown e-mail costs the same time as a wrong password. */
export async function verifyLogin(db: Db, email: string, password: string): Promise<StaffUser | undefined> {
  const user = await db.selectFrom('staff_users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  const hash = user?.password_hash ?? DUMMY_HASH;
  const ok = await argon2.verify(hash, password).catch(() => false);
  if (!user || !ok || user.disabled_at) return undefined;
  return user;
}

// A real argon2id hash of a random string, so unknown accounts take as long as known ones.
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$cuseSAvE9q7ZNmETd+qf8w$icZkv8rexJtQqh6lr1X9Lh5EExH6kC2NGunzfN2bU1g';
