// Outgoing e-mail through nodemailer: SMTP_URL in production, or a development outbox that
// writes each message as an .eml file under DATA_DIR/outbox.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per outbox row, so a provider can recognise a repeat. */
  messageId: string;
  headers?: Record<string, string>;
  /** Display name for the From header; the address is always MAIL_FROM's. */
  fromName?: string | undefined;
}

export interface Mailer {
  send(msg: OutgoingMessage): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailer(opts: { smtpUrl: string | undefined; outboxDir: string; from: string }): Mailer {
  return opts.smtpUrl ? smtpMailer(opts.smtpUrl, opts.from) : fileMailer(opts.outboxDir, opts.from);
}

function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(pooled(url), { from });
  return {
    async send(msg) {
      // Built whole first (the same MIME as sendMail builds): the connection then writes the
      // message in one go, rather than in a dozen small socket writes as the build streams it.
      const raw = await new MailComposer(envelope(msg, from)).compile().build();
      await transport.sendMail({ raw, envelope: { from: addressOf(from), to: [msg.to] } });
      return { messageId: msg.messageId };
    },
    close: () => transport.close(),
  };
}

/** The message as nodemailer takes it: MAIL_FROM, with the register's sender name if given. */
function envelope({ fromName, ...msg }: OutgoingMessage, from: string) {
  return { ...msg, from: fromName ? { name: fromName, address: addressOf(from) } : from };
}

/** `Name <a@b>` → `a@b`; a bare address stays as it is. */
export function addressOf(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1]?.trim() ?? from.trim();
}

/**
 * Reuses connections unless SMTP_URL says otherwise (`?pool=false`): a connection per message
 * costs a TCP and TLS handshake each, and many servers hold the greeting back (smtp-server 100 ms).
 */
export function pooled(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('pool')) u.searchParams.set('pool', 'true');
  return u.toString();
}

function fileMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(msg) {
      const info = await transport.sendMail(envelope(msg, from));
      mkdirSync(dir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${msg.messageId.replace(/[^A-Za-z0-9.-]+/g, '_')}.eml`;
      writeFileSync(path.join(dir, name), info.message as Buffer, { mode: 0o600 });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

export type SendFailure = 'transient' | 'permanent' | 'unknown';

/**
 * Retry only when the message surely did not leave: no connection, or a 4xx answer.
 * A 5xx answer is permanent. Anything else (a socket dropped mid-DATA) may have been delivered.
 */
export function classifySendError(err: unknown): SendFailure {
  const e = err as { code?: string; responseCode?: number; command?: string };
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 400 && e.responseCode < 500) return 'transient';
    if (e.responseCode >= 500) return 'permanent';
  }
  if (e.code === 'ECONNECTION' || e.code === 'EDNS' || e.command === 'CONN') return 'transient';
  if (e.code === 'ECONNREFUSED') return 'transient';
  return 'unknown';
}
