// Table types for Kysely. Keep in step with migrations/. Both drivers are set up (db/database.ts)
// to read bigint as number and date as a 'YYYY-MM-DD' string, so the types hold for both.
import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateOnly = string;
type Created = ColumnType<Date, Date | string | undefined, never>;
type Updated = ColumnType<Date, Date | string | undefined, Date | string>;

export type Language = 'nb' | 'nn' | 'en';
export type Sex = 'female' | 'male';
export type ArrestType = 'OHCA' | 'IHCA';
export type ChannelRule = 'email-or-paper' | 'email-only' | 'paper-only';
export type InvitationState = 'planned' | 'sent' | 'reminded' | 'answered' | 'expired' | 'cancelled';
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'cancelled';
export type Step = 'invitation' | 'reminder1' | 'reminder2';
export type Channel = 'email' | 'paper';
export type StaffRole = 'admin' | 'registrar' | 'analyst';

export interface SurvivorsTable {
  id: Generated<number>;
  register_id: string;
  national_id: string;
  birth_date: DateOnly;
  sex: Sex;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  phone: string | null;
  address_line: string | null;
  postal_code: string | null;
  city: string | null;
  language: Language;
  channel_rule: ColumnType<ChannelRule, ChannelRule | undefined, ChannelRule>;
  withdrawn_at: Timestamp | null;
  opted_out_at: Timestamp | null;
  died_on: DateOnly | null;
  created_at: Created;
  updated_at: Updated;
}

export interface ArrestEventsTable {
  id: Generated<number>;
  survivor_id: number;
  arrest_date: DateOnly;
  arrest_type: ArrestType;
  hospital: string;
  created_at: Created;
  updated_at: Updated;
}

export interface InvitationsTable {
  id: Generated<number>;
  arrest_event_id: number;
  state: ColumnType<InvitationState, InvitationState | undefined, InvitationState>;
  cancel_reason: string | null;
  opens_on: DateOnly;
  closes_on: DateOnly;
  language: Language;
  answered_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Updated;
}

export interface OutboxTable {
  id: Generated<number>;
  invitation_id: number;
  step: Step;
  channel: Channel;
  state: ColumnType<OutboxState, OutboxState | undefined, OutboxState>;
  due_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  message_id: string | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Updated;
}

export interface InvitationTokensTable {
  token_hash: Uint8Array;
  invitation_id: number;
  outbox_id: number | null;
  created_at: Created;
}

export interface AnswerDraftsTable {
  invitation_id: number;
  answers: ColumnType<Record<string, number>, string, string>;
  version: ColumnType<number, number | undefined, number>;
  updated_at: Updated;
}

export interface ResponsesTable {
  id: string;
  invitation_id: number;
  mode: 'web' | 'paper';
  language: Language;
  mobility: number | null;
  self_care: number | null;
  usual_activities: number | null;
  pain_discomfort: number | null;
  anxiety_depression: number | null;
  vas: number | null;
  counted: ColumnType<boolean, boolean | undefined, boolean>;
  completed_at: Timestamp;
  created_at: Created;
}

export interface StaffUsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: StaffRole;
  hospitals: ColumnType<string[], string[] | undefined, string[]>;
  disabled_at: Timestamp | null;
  created_at: Created;
}

export interface SessionsTable {
  sid: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  expires_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Created;
  actor: string;
  actor_role: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface Database {
  survivors: SurvivorsTable;
  arrest_events: ArrestEventsTable;
  invitations: InvitationsTable;
  outbox: OutboxTable;
  invitation_tokens: InvitationTokensTable;
  answer_drafts: AnswerDraftsTable;
  responses: ResponsesTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}

export type Survivor = Selectable<SurvivorsTable>;
export type Invitation = Selectable<InvitationsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type StaffUser = Selectable<StaffUsersTable>;
