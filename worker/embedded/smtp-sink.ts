// A real SMTP server on localhost that accepts every message and stores it: the embedded stand-in for agencies' mailboxes.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { ReceivedMessage } from '../../db/repositories/sink.js';
import { StartupError } from './errors.js';

export interface SmtpSinkOptions {
  readonly port: number;
  readonly host?: string;
  readonly store: (message: ReceivedMessage) => Promise<unknown>;
  readonly log: (line: string) => void;
  readonly maxBytes?: number;
}

export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: SmtpSinkOptions): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  const server = new SMTPServer({
    name: 'merzim-sink',
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: opts.maxBytes ?? 25 * 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void (async () => {
          try {
            const parsed = await simpleParser(raw, {
              skipHtmlToText: true,
              skipTextToHtml: true,
              skipImageLinks: true,
            });
            await opts.store({
              messageId: parsed.messageId ?? null,
              mailFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
              rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? null,
              raw,
            });
            callback();
          } catch (err) {
            // A 4xx makes the sender retry later instead of losing the message.
            opts.log(`SMTP sink could not store a message: ${(err as Error).message}`);
            callback(Object.assign(new Error('Temporary local failure storing the message'), { responseCode: 451 }));
          }
        })();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new StartupError(
              `The SMTP sink could not listen on port ${opts.port}: it is already in use.`,
              'stop whatever uses it, set MERZIM_SMTP_PORT=<port>, or set SMTP_URL to a real mail server.',
            )
          : err,
      );
    };
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      server.on('error', (err) => opts.log(`SMTP sink error: ${err.message}`));
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  return {
    port,
    url: `smtp://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
