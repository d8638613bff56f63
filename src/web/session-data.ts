// What a session holds: a respondent's invitation and language, or a signed-in staff member.
import type { StaffRole } from '../db/schema.ts';
import type { Lang } from '../i18n/views.ts';

export interface StaffSession {
  id: number;
  email: string;
  role: StaffRole;
  hospitals: string[];
  loginAt: number;
  seenAt: number;
}

declare module 'express-session' {
  interface SessionData {
    invitationId?: number;
    lang?: Lang;
    staff?: StaffSession;
  }
}
