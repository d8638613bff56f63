// Opaque paging cursors: base64url of a small JSON tuple (kind, timestamp with microseconds, id).
// Not signed: a changed cursor only moves the reading position within what the key may read.
import { parseUtcInstant } from '../calendar-date.ts';
export type CursorKind = 'invitations' | 'responses';

export interface Cursor {
  at: string;
  id: string;
}

const MICROSECONDS = /\.\d{6}Z$/;

export function encodeCursor(kind: CursorKind, c: Cursor): string {
  return Buffer.from(JSON.stringify([kind === 'invitations' ? 'i' : 'r', c.at, c.id]), 'utf8').toString('base64url');
}

/** The position, or undefined when the text is not a cursor of this kind. */
export function decodeCursor(kind: CursorKind, text: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return undefined;
    const [k, at, id] = v as unknown[];
    if (
      k !== (kind === 'invitations' ? 'i' : 'r') ||
      typeof at !== 'string' ||
      !MICROSECONDS.test(at) ||
      typeof id !== 'string'
    )
      return undefined;
    // A real day and time (Date.parse takes 2026-02-30T…, PostgreSQL does not).
    if (parseUtcInstant(at) === undefined) return undefined;
    if (kind === 'invitations' ? !/^\d{1,18}$/.test(id) : !/^[0-9a-f-]{36}$/.test(id)) return undefined;
    return { at, id };
  } catch {
    return undefined;
  }
}
