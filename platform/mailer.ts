// The nodemailer transport over SMTP_URL (or the embedded sink); pooled, with timeouts so a dead server fails fast and retries.
import nodemailer, { type Transporter } from 'nodemailer';

export function createMailer(smtpUrl: string, opts: { maxConnections?: number } = {}): Transporter {
  const url = new URL(smtpUrl);
  return nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    auth:
      url.username === ''
        ? undefined
        : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    // Plain SMTP to localhost (the sink) must not insist on STARTTLS; remote servers negotiate it when offered.
    ignoreTLS: url.hostname === '127.0.0.1' || url.hostname === 'localhost',
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    logger: false,
  });
}
