// The register profile every test world starts with (the shipped example, with its fictitious
// contact details): until one is set nobody is contacted, and existing tests send messages.
// The shared set-up leaves out the example's senderName and subject, so From and Subject stay
// MAIL_FROM's name and the default neutral subjects that existing tests assert.
import { readFileSync } from 'node:fs';
import type { Db } from '../../src/db/database.ts';
import { saveRegisterProfile, type RegisterProfile } from '../../src/register/profile.ts';

export const EXAMPLE_PROFILE_FILE = new URL('../../docs/register-profile.example.json', import.meta.url).pathname;
export const EXAMPLE_PROFILE = JSON.parse(readFileSync(EXAMPLE_PROFILE_FILE, 'utf8')) as RegisterProfile;
const { senderName: _senderName, subject: _subject, ...withoutEnvelope } = EXAMPLE_PROFILE;
export const TEST_PROFILE: RegisterProfile = withoutEnvelope;

export async function setTestProfile(db: Db): Promise<void> {
  await saveRegisterProfile(db, TEST_PROFILE, 'test set-up');
}
