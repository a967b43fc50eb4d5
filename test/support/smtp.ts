import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** One MIME leaf part, decoded. */
export interface MailPart {
  contentType: string;
  /** Parameters of the Content-Type (method, charset, name …), lower-case keys. */
  params: Record<string, string>;
  body: string;
}

export interface ReceivedMail {
  /** SMTP envelope. */
  from: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  parts: MailPart[];
  raw: string;
  /** The first part of this type (`text/plain`, `text/html`, `text/calendar`). */
  part(type: string): MailPart | undefined;
}

export interface TestSmtp {
  port: number;
  messages: ReceivedMail[];
  /** Env for startTestApp to send through this server. */
  env: Record<string, string>;
  /** Resolves once `count` messages matching `filter` have arrived. */
  waitFor(
    filter: (m: ReceivedMail) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<ReceivedMail[]>;
  /** Makes the next `n` deliveries fail with a temporary error (451). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** RFC 2047 encoded-words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_, charset: string, enc: string, text: string) => {
        const bytes =
          enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qp(text.replace(/_/g, ' '));
        return bytes.toString(charset.toLowerCase() === 'utf-8' ? 'utf8' : 'latin1');
      },
    );
}

function qp(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'latin1'));
    }
  }
  return Buffer.from(bytes);
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0)
      params[p.slice(0, i).trim().toLowerCase()] = p
        .slice(i + 1)
        .trim()
        .replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** A minimal MIME reader: enough for nodemailer's multipart/alternative and mixed messages. */
function leaves(raw: string): MailPart[] {
  const { headers, body } = splitHead(raw);
  const { type, params } = contentType(headers['content-type']);
  if (type.startsWith('multipart/') && params.boundary) {
    const sections = body.split(`--${params.boundary}`).slice(1);
    return sections
      .filter((s) => !s.startsWith('--'))
      .flatMap((s) => leaves(s.replace(/^\r?\n/, '')));
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : cte === 'quoted-printable'
        ? qp(body)
        : Buffer.from(body, 'utf8');
  return [{ contentType: type, params, body: bytes.toString('utf8').replace(/\r?\n$/, '') }];
}

/** A real SMTP server (the `smtp-server` package) in this process, keeping what it receives. */
export async function startSmtp(): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          const err = Object.assign(new Error('Try again later'), { responseCode: 451 });
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers } = splitHead(raw);
        const parts = leaves(raw);
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          headers,
          subject: decodeWords(headers.subject ?? ''),
          parts,
          raw,
          part: (t) => parts.find((p) => p.contentType === t),
        });
        for (const w of waiters) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    messages,
    env: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(port),
      SMTP_SECURE: 'false',
      MAIL_FROM: 'Visio <visio@test.localhost>',
    },
    failNext(n) {
      failures = n;
    },
    waitFor(filter, count = 1, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.filter(filter);
          if (found.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `timed out waiting for ${count} message(s); got ${messages.filter(filter).length} (${messages.length} in all)`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
