// Table types for Kysely. Keep in step with migrations/. Both drivers are set up (db/database.ts)
// to read bigint as number and date as a 'YYYY-MM-DD' string, so the types hold for both.
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Lang } from '../i18n/views.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateOnly = string;
type Created = ColumnType<Date, Date | string | undefined, never>;
type Updated = ColumnType<Date, Date | string | undefined, Date | string>;

export type Sex = 'female' | 'male';
export type ArrestType = 'OHCA' | 'IHCA';
export type ChannelRule = 'email-or-paper' | 'email-only' | 'paper-only';
export type InvitationState = 'planned' | 'sent' | 'reminded' | 'answered' | 'expired' | 'cancelled';
/** See docs/architecture.md "Outbox states"; 'print' and 'held' are paper steps (migration 0002). */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown' | 'cancelled' | 'print' | 'held';
/** 'paper_request': a letter the person asked for with the "rather on paper" link (0002). */
export type Step = 'invitation' | 'reminder1' | 'reminder2' | 'paper_request';
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
  language: Lang;
  channel_rule: ColumnType<ChannelRule, ChannelRule | undefined, ChannelRule>;
  withdrawn_at: Timestamp | null;
  opted_out_at: Timestamp | null;
  died_on: DateOnly | null;
  /** The address that bounced permanently (SMTP 5xx); e-mail is unusable while it equals `email` (0002). */
  bounced_email: string | null;
  /** 0011: who asked to stop contact ('person', 'relative', 'other'). */
  opt_out_source: string | null;
  /** 0011: 'address line|postal code' a letter came back from; the address is unusable while it is this one. */
  address_returned: string | null;
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
  language: Lang;
  answered_at: Timestamp | null;
  /** The programme_settings version the steps were planned with (0002). */
  programme_version: number | null;
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

/** Versioned contact programme of the register (0002); the highest version applies to new invitations. */
export interface ProgrammeSettingsTable {
  version: number;
  settings: ColumnType<Record<string, unknown>, string, never>;
  created_by: string;
  created_at: Created;
}

/** What the death file told us (`prom deaths import`), also for people not imported yet (0002). */
export interface DeathsTable {
  national_id: string;
  died_on: DateOnly;
  source: string;
  recorded_at: Created;
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
  language: Lang;
  mobility: number | null;
  self_care: number | null;
  usual_activities: number | null;
  pain_discomfort: number | null;
  anxiety_depression: number | null;
  vas: number | null;
  counted: ColumnType<boolean, boolean | undefined, boolean>;
  completed_at: Timestamp;
  created_at: Created;
  /** 0007: the letter a paper response was entered from; 'duplicate' marks an uncounted second response. */
  letter_id: ColumnType<number | null, number | null | undefined, number | null>;
  flag: ColumnType<'duplicate' | null, 'duplicate' | null | undefined, 'duplicate' | null>;
  /** 0012: answers to items outside EQ-5D by linkId; the QuestionnaireResponses; "url|version" answered. */
  items: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  questionnaire_responses: ColumnType<unknown[] | null, string | null | undefined, string | null>;
  questionnaires: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  /** 0015: who filled it in; null for a response given before it was asked (not recorded). */
  respondent: ColumnType<Respondent | null, Respondent | null | undefined, Respondent | null>;
}

/** 0015: the person, the person with help, someone else on the person's behalf. */
export type Respondent = 'self' | 'assisted' | 'proxy';

/** 0012: a FHIR R4 Questionnaire, stored whole with its version (src/instruments/store.ts). */
export interface InstrumentsTable {
  id: string;
  version: string;
  url: string;
  resource: ColumnType<Record<string, unknown>, string, never>;
  added_by: string;
  added_at: Created;
  /** 0015: a proxy variant's self version (canonical URL named by its `derivedFrom`). */
  proxy_of: ColumnType<string | null, string | null | undefined, string | null>;
}

/** 0012: the instruments a programme version asks, in order, each pinned to a version. */
export interface ProgrammeInstrumentsTable {
  programme_version: number;
  position: number;
  instrument_id: string;
  instrument_version: string;
}

export interface StaffUsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: StaffRole;
  hospitals: ColumnType<string[], string[] | undefined, string[]>;
  disabled_at: Timestamp | null;
  created_at: Created;
  // 0004: second factor and lockout (src/staff/totp.ts, src/staff/users.ts)
  totp_secret: string | null;
  totp_enrolled_at: Timestamp | null;
  totp_last_step: number | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: Timestamp | null;
  last_login_at: Timestamp | null;
}

/** Reference data: hospital → health trust (HF) → region (RHF). */
export interface HospitalsTable {
  code: string;
  name: string;
  health_trust: string;
  region: string;
  updated_at: Updated;
}

export interface ShortCodesTable {
  code_hash: Uint8Array;
  invitation_id: number;
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
  actor_id: ColumnType<number | null, number | null | undefined, never>;
  source: ColumnType<string | null, string | null | undefined, never>;
}

export interface NormSetsTable {
  id: string;
  version: string;
  data: ColumnType<unknown, string, string>;
  imported_at: Created;
}

/** Keys of the integration API (0006); only the SHA-256 of a key is stored. */
export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  prefix: string;
  key_hash: Uint8Array;
  scopes: string[];
  hospitals: ColumnType<string[], string[] | undefined, string[]>;
  created_by: string;
  created_at: Created;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** Idempotency-Key store of the integration API (0006). */
export interface ApiIdempotencyTable {
  api_key_id: number;
  idempotency_key: string;
  request_hash: Uint8Array;
  status: number | null;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: Created;
}

/** Print batches and their letters, paper entries, paper settings (0007; see docs/paper.md). */
export interface PrintBatchesTable {
  id: Generated<number>;
  created_at: Created;
  created_by: string;
  made_at: Timestamp;
  letters: ColumnType<number, number | undefined, number>;
  pdf_file: string | null;
  manifest_file: string | null;
  handed_over_at: Timestamp | null;
  handed_over_by: string | null;
  reprint_of: number | null;
}

export interface LettersTable {
  id: Generated<number>;
  outbox_id: number;
  invitation_id: number;
  batch_id: number;
  kind: 'invitation' | 'reminder';
  language: Lang;
  pages: number;
  letter_date: DateOnly;
  name: string | null;
  address_line: string;
  postal_code: string;
  city: string | null;
  short_code_enc: string;
  created_at: Created;
  /** 0008: hand-over is recorded per letter (a registrar confirms only their hospitals' letters). */
  handed_over_at: Timestamp | null;
  handed_over_by: string | null;
  /** 0011: the letter came back undeliverable; its step may go again. */
  returned_at: Timestamp | null;
  returned_by: string | null;
}

/** 0011: a registrar's short note on a survivor (no health information). */
export interface CaseNotesTable {
  id: Generated<number>;
  survivor_id: number;
  at: Created;
  author: string;
  text: string;
}

export type UncountedReason = 'died' | 'withdrawn' | 'stopped' | 'window_closed';

/** 0008: a returned form recorded but never counted; its answers are not stored. */
export interface UncountedReturnsTable {
  id: Generated<number>;
  letter_id: number;
  invitation_id: number;
  received_on: DateOnly;
  reason: UncountedReason;
  recorded_by: number | null;
  recorded_at: Created;
}

/** 0008: the tombstone of a person erased at their request (keyed hash of the national id). */
export interface ErasuresTable {
  id: Generated<number>;
  national_id_hash: Uint8Array;
  erased_at: Timestamp;
  erased_by: string;
  counts: ColumnType<Record<string, number>, string, never>;
}

export type PaperValue = '1' | '2' | '3' | '4' | '5' | 'missing' | 'ambiguous';

export interface PaperEntriesTable {
  id: Generated<number>;
  letter_id: number;
  invitation_id: number;
  entry_no: 1 | 2 | 3;
  entered_by: number;
  mobility: PaperValue;
  self_care: PaperValue;
  usual_activities: PaperValue;
  pain_discomfort: PaperValue;
  anxiety_depression: PaperValue;
  /** '0'–'100', 'missing' or 'ambiguous'. */
  vas: string;
  received_on: DateOnly;
  created_at: Created;
  /** 0012: other instruments' items by linkId as keyed ('' not answered, '?' unclear); 0015: and `respondent`. */
  items: ColumnType<Record<string, string> | null, string | null | undefined, string | null>;
}

export interface PaperSettingsTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  double_entry: boolean;
  updated_by: string;
  updated_at: Updated;
}

/** The register's profile, versioned (0010); see src/register/profile.ts. */
export interface RegisterProfilesTable {
  version: number;
  profile: ColumnType<Record<string, unknown>, string, never>;
  created_by: string;
  created_at: Created;
}

export interface Database {
  survivors: SurvivorsTable;
  arrest_events: ArrestEventsTable;
  invitations: InvitationsTable;
  outbox: OutboxTable;
  programme_settings: ProgrammeSettingsTable;
  deaths: DeathsTable;
  invitation_tokens: InvitationTokensTable;
  answer_drafts: AnswerDraftsTable;
  responses: ResponsesTable;
  staff_users: StaffUsersTable;
  sessions: SessionsTable;
  short_codes: ShortCodesTable;
  audit_log: AuditLogTable;
  hospitals: HospitalsTable;
  norm_sets: NormSetsTable;
  api_keys: ApiKeysTable;
  api_idempotency: ApiIdempotencyTable;
  print_batches: PrintBatchesTable;
  letters: LettersTable;
  paper_entries: PaperEntriesTable;
  paper_settings: PaperSettingsTable;
  uncounted_returns: UncountedReturnsTable;
  erasures: ErasuresTable;
  case_notes: CaseNotesTable;
  register_profiles: RegisterProfilesTable;
  installation: InstallationTable;
  instruments: InstrumentsTable;
  programme_instruments: ProgrammeInstrumentsTable;
}

/** Migration 0009: one row, this installation's id (the default queue prefix). */
export interface InstallationTable {
  one: Generated<boolean>;
  id: string;
  created_at: Generated<Date>;
}

export type Survivor = Selectable<SurvivorsTable>;
export type StaffUser = Selectable<StaffUsersTable>;
