import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RouterOutputs } from "@ticketing/api";
import MailComposer from "nodemailer/lib/mail-composer";

export type Notification = RouterOutputs["claimNotifications"]["notifications"][number];

/** The domain of an address like `Name <local@domain>` or `local@domain`. */
function domainOf(address: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(address);
  return match?.[1] ?? "localhost";
}

/**
 * The notification as an RFC 5322 message: From, To, Date, Message-ID, an RFC 2047
 * encoded Subject, and multipart/alternative plain text and HTML, with CRLF line ends.
 * Everything that would vary between two builds (Message-ID, Date, MIME boundary) is
 * derived from the notification, so a re-delivery writes the same bytes.
 */
export async function composeMessage(notification: Notification, from: string): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to: notification.recipient,
    subject: notification.subject,
    text: notification.bodyText,
    html: notification.bodyHtml,
    date: notification.createdAt,
    messageId: `<${notification.id}@${domainOf(from)}>`,
    baseBoundary: notification.id.replaceAll("-", ""),
    headers: {
      "X-Ticketing-Notification": notification.id,
      "X-Ticketing-Kind": notification.kind,
      "X-Ticketing-Booking": notification.bookingId,
    },
    newline: "win",
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the message of a notification lands: one file per notification id. */
export function messagePath(dir: string, notificationId: string): string {
  // The id becomes a file name: anything but a UUID could point outside the outbox.
  if (!UUID.test(notificationId)) throw new Error(`Refusing to deliver notification with id "${notificationId}"`);
  return join(dir, `${notificationId}.eml`);
}

/**
 * Writes the message as `<id>.eml`, atomically: written and synced under a temporary name,
 * then renamed over the final one. A reader (or a worker that takes over after a crash)
 * sees either no file or a whole one, and a re-delivery replaces it instead of adding one.
 */
export async function writeMessage(dir: string, notificationId: string, message: Buffer): Promise<string> {
  const target = messagePath(dir, notificationId);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${notificationId}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const file = await open(temporary, "wx");
  try {
    await file.writeFile(message);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, target);
  return target;
}
