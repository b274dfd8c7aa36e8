import nodemailer from "nodemailer";
import { writeMessage } from "./outbox";

/** Who a message goes from and to, as the SMTP envelope (MAIL FROM / RCPT TO) names them. */
interface Envelope {
  from: string;
  to: string;
}

/**
 * Where the worker hands its messages. `send` resolves only once the message is accepted —
 * written to disk, or answered 250 by the SMTP server — so the notification is acknowledged
 * only after that; it rejects with a DeliveryError that says whether trying again can help.
 */
export interface MailTransport {
  /** For logs: the outbox folder, or the SMTP server's address (never its password). */
  readonly target: string;
  /** Resolves with what accepted it: the file written, or the server's reply. */
  send(notificationId: string, envelope: Envelope, message: Buffer): Promise<string>;
  close(): void;
}

/**
 * A message that was not accepted. `permanent` means the server refused this message for
 * good (a 5xx reply to its envelope or content): sending it again would meet the same
 * answer. Anything else — no connection, a timeout, a 4xx reply, a refused login — may
 * pass later.
 */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** The development default: each message as `<id>.eml` in a folder, standing in for a relay. */
function outboxTransport(dir: string): MailTransport {
  return {
    target: dir,
    async send(notificationId, _envelope, message) {
      try {
        return await writeMessage(dir, notificationId, message);
      } catch (error) {
        throw new DeliveryError(error instanceof Error ? error.message : String(error), false);
      }
    },
    close() {},
  };
}

/** The address inside `Name <local@domain>`, or the string itself. */
export function addressOf(mailbox: string): string {
  return /<([^>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();
}

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  permanent?: unknown;
  message?: unknown;
}

/**
 * Sorts a nodemailer error into permanent or transient. Only the server's 5xx answer to
 * this message (its envelope — EENVELOPE — or its content — EMESSAGE) is permanent, as
 * nodemailer's `permanent` flag reads RFC 5321; a 5xx to the login (EAUTH) is the worker's
 * configuration, not the message's fault, so it stays in the outbox until that is fixed.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  const failure: SmtpFailure = typeof error === "object" && error !== null ? error : {};
  const reply = typeof failure.response === "string" ? failure.response : undefined;
  const code = typeof failure.code === "string" ? failure.code : "SMTP";
  const message = reply ?? (typeof failure.message === "string" ? failure.message : String(error));
  const aboutTheMessage = code === "EENVELOPE" || code === "EMESSAGE";
  return new DeliveryError(`${code}: ${message}`, aboutTheMessage && failure.permanent === true);
}

/**
 * Delivery through an SMTP relay (`smtp://user:pass@host:587`, STARTTLS when offered, or
 * `smtps://…:465`, TLS from the start), on one pooled connection. The composed message is
 * sent as it is (`raw`), so its Message-ID is the same on every attempt and a receiver can
 * drop the duplicate that a crash between acceptance and acknowledgement may cause.
 */
function smtpTransport(url: string, timeoutMs: number): MailTransport {
  const parsed = new URL(url);
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 1,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    target: `${parsed.protocol}//${parsed.host}`,
    async send(_notificationId, envelope, message) {
      try {
        const info = await transport.sendMail({
          envelope: { from: addressOf(envelope.from), to: [addressOf(envelope.to)] },
          raw: message,
        });
        return info.response;
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    close() {
      transport.close();
    },
  };
}

export function createMailTransport(options: {
  smtpUrl: string | undefined;
  outboxDir: string;
  smtpTimeoutMs: number;
}) {
  return options.smtpUrl ? smtpTransport(options.smtpUrl, options.smtpTimeoutMs) : outboxTransport(options.outboxDir);
}
