import { eventId } from "@ticketing/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, type TestApi } from "../testing";

let api: TestApi;
let bookingId: string;
beforeAll(async () => {
  api = await createTestApi();
  const alice = await api.as("alice@example.com");
  // Alice's seeded booking is for an event Olivia organizes.
  const mine = await alice.listMyBookings();
  bookingId = mine.items[0]?.id as string;
});
afterAll(() => api.close());

async function ask(asker: string, subject: string, resource: string, action: "read" | "book" | "cancel" | "manage") {
  const caller = await api.as(asker);
  const userId = (await api.userByEmail(subject)).id;
  return caller.checkPermission({ userId, resource, action });
}

describe("checkPermission", () => {
  it("answers each rule with a reason", async () => {
    const event = `event:${eventId("midnight-orchestra")}`;
    const booking = () => `booking:${bookingId}`;
    const cases: [string, string, "read" | "book" | "cancel" | "manage", boolean][] = [
      ["alice@example.com", event, "read", true],
      ["alice@example.com", event, "book", true],
      ["alice@example.com", event, "manage", false],
      ["olivia@example.com", event, "manage", true],
      ["omar@example.com", event, "manage", false],
      ["admin@example.com", event, "cancel", true],
      ["alice@example.com", booking(), "read", true],
      ["alice@example.com", booking(), "cancel", true],
      ["alice@example.com", booking(), "manage", false],
      ["bob@example.com", booking(), "read", false],
      ["olivia@example.com", booking(), "cancel", true],
      ["olivia@example.com", booking(), "book", false],
      ["omar@example.com", booking(), "cancel", false],
      ["admin@example.com", booking(), "manage", true],
      ["alice@example.com", "admin", "read", false],
      ["admin@example.com", "admin", "manage", true],
    ];
    for (const [who, resource, action, allowed] of cases) {
      const decision = await ask(who, who, resource, action);
      expect({ who, resource, action, allowed: decision.allowed }).toEqual({ who, resource, action, allowed });
      expect(decision.reason.length).toBeGreaterThan(10);
    }
  });

  it("lets people ask only about themselves, while admins and the service ask about anyone", async () => {
    await expect(ask("bob@example.com", "alice@example.com", `booking:${bookingId}`, "read")).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "You can only check your own permissions.",
    });
    const adminAnswer = await ask("admin@example.com", "bob@example.com", `booking:${bookingId}`, "read");
    expect(adminAnswer).toEqual({
      allowed: false,
      reason: "Only the booking's owner, the event's organizer or an admin can read this booking.",
    });
    const alice = await api.userByEmail("alice@example.com");
    const serviceAnswer = await api.service.checkPermission({
      userId: alice.id,
      resource: `booking:${bookingId}`,
      action: "cancel",
    });
    expect(serviceAnswer).toEqual({ allowed: true, reason: "alice@example.com owns this booking." });
    const service = await api.userByEmail("worker@ticketing.internal");
    expect(
      await api.service.checkPermission({
        userId: service.id,
        resource: `event:${eventId("harbor-jazz")}`,
        action: "book",
      }),
    ).toEqual({
      allowed: false,
      reason: "The service account cannot book seats.",
    });
  });

  it("answers NOT_FOUND for unknown users and resources, BAD_REQUEST for malformed ones, UNAUTHORIZED for strangers", async () => {
    const admin = await api.as("admin@example.com");
    const nobody = "33333333-3333-4333-8333-333333333333";
    await expect(admin.checkPermission({ userId: nobody, resource: "admin", action: "read" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const adminId = (await api.userByEmail("admin@example.com")).id;
    await expect(
      admin.checkPermission({ userId: adminId, resource: `event:${nobody}`, action: "read" }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(admin.checkPermission({ userId: adminId, resource: "venue:1", action: "read" })).rejects.toMatchObject(
      {
        code: "BAD_REQUEST",
      },
    );
    await expect(
      admin.checkPermission({ userId: adminId, resource: "admin", action: "delete" as "read" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      api.anonymous.checkPermission({ userId: adminId, resource: "admin", action: "read" }),
    ).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});
