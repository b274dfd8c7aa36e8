import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import PostalMime from "postal-mime";
import { afterAll, describe, expect, it } from "vitest";
import { composeMessage, messagePath, type Notification, writeMessage } from "./outbox";

const notification: Notification = {
  id: "0f6c2a3e-5b1d-4c7a-9e8f-1a2b3c4d5e6f",
  kind: "booking_confirmed",
  bookingId: "7d9e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
  recipient: "alice@example.com",
  subject: "Booking confirmed — Harbor Jazz Sessions: Late Set «Été»",
  bodyText: "Hi Alice,\n\nYour booking for Harbor Jazz Sessions is confirmed.\nTotal: €90.00\n",
  bodyHtml: "<!doctype html>\n<p>Hi Alice,</p>\n<p><strong>Your booking is confirmed.</strong></p>",
  createdAt: new Date("2026-11-20T18:30:00Z"),
  attempts: 1,
};
const FROM = "Ticketing <tickets@ticketing.example>";

describe("the message of a notification", () => {
  it("is an RFC 5322 message that a mail parser reads back whole", async () => {
    const raw = await composeMessage(notification, FROM);
    const text = raw.toString("utf8");
    // Headers are 7-bit: the subject's "—" travels RFC 2047-encoded.
    const headers = text.slice(0, text.indexOf("\r\n\r\n"));
    expect(headers).toMatch(/^Subject: =\?UTF-8\?[QB]\?/m);
    expect([...headers].every((char) => char.charCodeAt(0) < 128)).toBe(true);
    expect(headers).toMatch(/^MIME-Version: 1\.0$/m);
    expect(headers).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(headers).toContain("Date: Fri, 20 Nov 2026 18:30:00 +0000");
    // Every line ends in CRLF.
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);

    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(notification.subject);
    expect(parsed.from).toMatchObject({ name: "Ticketing", address: "tickets@ticketing.example" });
    expect(parsed.to).toEqual([expect.objectContaining({ address: "alice@example.com" })]);
    expect(parsed.messageId).toBe(`<${notification.id}@ticketing.example>`);
    expect(parsed.date).toBe("2026-11-20T18:30:00.000Z");
    expect(parsed.text?.replace(/\r\n/g, "\n").trimEnd()).toBe(notification.bodyText.trimEnd());
    expect(parsed.html?.replace(/\r\n/g, "\n").trim()).toBe(notification.bodyHtml);
    expect(parsed.headers).toContainEqual(
      expect.objectContaining({ key: "x-ticketing-notification", value: notification.id }),
    );
  });

  it("is the same bytes when built again, so a re-delivery changes nothing", async () => {
    const first = await composeMessage(notification, FROM);
    const second = await composeMessage(notification, FROM);
    expect(second.equals(first)).toBe(true);
  });
});

describe("writing to the outbox", () => {
  const dir = mkdtempSync(join(tmpdir(), "worker-outbox-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves exactly one whole file per notification, however often it is delivered", async () => {
    const outbox = join(dir, "nested", "outbox");
    const first = await writeMessage(outbox, notification.id, Buffer.from("first"));
    expect(first).toBe(join(outbox, `${notification.id}.eml`));
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => writeMessage(outbox, notification.id, Buffer.from(`delivery ${i}`))),
    );
    expect(readdirSync(outbox)).toEqual([`${notification.id}.eml`]);
    expect(readFileSync(first, "utf8")).toMatch(/^delivery \d$/);
  });

  it("refuses an id that is not a UUID, so no file lands outside the outbox", async () => {
    expect(() => messagePath(dir, "../../etc/passwd")).toThrow(
      'Refusing to deliver notification with id "../../etc/passwd"',
    );
    await expect(writeMessage(dir, "../escape", Buffer.from("x"))).rejects.toThrow(/Refusing to deliver/);
  });
});
