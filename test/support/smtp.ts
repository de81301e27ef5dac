/**
 * A real SMTP server on a free loopback port (the `smtp-server` package, by nodemailer's authors)
 * that keeps every message it accepts, parsed with `mailparser`. `refuse(true)` makes it turn every
 * connection away with 421 (an outage as a mailer sees it) until `refuse(false)`.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { perFile } from './hooks';
import { freePort } from './net';

export interface SmtpSink {
  url: string;
  port: number;
  /** Parsed messages in the order they arrived, each with the envelope it came with. */
  messages: (ParsedMail & { envelope: { from: string; to: string[] }; raw: Buffer })[];
  /** Connections turned away while refusing. */
  refused: number;
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  let refusing = false;
  const sink: SmtpSink = {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages: [],
    refused: 0,
    refuse: (on) => void (refusing = on),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no TLS to negotiate, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, callback) {
      if (!refusing) return callback();
      sink.refused++;
      callback(Object.assign(new Error('service not available, try again later'), { responseCode: 421 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        try {
          const raw = Buffer.concat(chunks);
          const parsed = await simpleParser(raw);
          const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
          sink.messages.push(Object.assign(parsed, { envelope, raw }));
          callback();
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  return sink;
}

/** The SMTP server for the whole test file: started in beforeAll, closed in afterAll. */
export function useSmtpSink(): SmtpSink {
  return perFile(startSmtpSink, { close: (s) => s.close() });
}
