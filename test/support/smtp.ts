// A real SMTP server on loopback (smtp-server) that parses what it receives (mailparser).
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface Received {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface SmtpSink {
  url: string;
  messages: Received[];
  /** Answer the next RCPT/DATA with this code instead of accepting (421 transient, 550 permanent). */
  failWith: number | undefined;
  /** With failWith set: fail only this many more attempts, then accept again (undefined: fail until cleared). */
  failTimes: number | undefined;
  /** Recipients refused so far (each failed attempt counts). */
  refused: string[];
  /**
   * While true, a message's data is read but never answered: the sender waits for the "250" that
   * makes it delivered. Recipients of such messages are listed in `held`; they are not delivered.
   */
  holdData: boolean;
  held: string[];
  /** Take this long over the next message's data before accepting it (a slow mail server). */
  slowNextMs: number | undefined;
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = {
    url: '',
    messages: [],
    failWith: undefined,
    failTimes: undefined,
    refused: [],
    holdData: false,
    held: [],
    slowNextMs: undefined,
    waitFor: async (count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (sink.messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${sink.messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return sink.messages;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    // A reverse DNS look-up of 127.0.0.1 per connection costs ~100 ms; the tests send thousands.
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (sink.failWith && sink.failTimes !== undefined && sink.failTimes <= 0) {
        sink.failWith = undefined;
        sink.failTimes = undefined;
      }
      if (sink.failWith) {
        if (sink.failTimes !== undefined) sink.failTimes--;
        sink.refused.push(address.address);
        const err = Object.assign(new Error(`test failure ${sink.failWith}`), { responseCode: sink.failWith });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      if (sink.holdData) {
        stream.resume();
        stream.on('end', () => sink.held.push(...session.envelope.rcptTo.map((r) => r.address)));
        return; // no answer: the sender is left between "sending" and "sent"
      }
      const slowMs = sink.slowNextMs;
      sink.slowNextMs = undefined;
      simpleParser(stream)
        .then(async (mail: ParsedMail) => {
          if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
          sink.messages.push({
            to: addressText(mail.to),
            from: addressText(mail.from),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  sink.url = `smtp://127.0.0.1:${port}`;
  return sink;
}

function addressText(a: ParsedMail['to'] | ParsedMail['from']): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

/** The survey token in a received message's link. */
export function linkToken(message: Received): string {
  const m = /\/s\/([A-Za-z0-9_-]{43})\b/.exec(message.text);
  if (!m) throw new Error('no survey link in message');
  return m[1]!;
}
