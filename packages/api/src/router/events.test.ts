import { eventId, venueId } from "@ticketing/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, type TestApi } from "../testing";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe("listEvents", () => {
  it("lists upcoming events of every status but cancelled, soonest first", async () => {
    const { items, nextCursor } = await api.anonymous.listEvents();
    const names = items.map((event) => event.name);
    expect(names).toContain("Lantern Comedy Night");
    expect(names).toContain("Aurora Ballet: The Firebird");
    expect(names).not.toContain("Winter Gala");
    expect(items.map((e) => e.startsAt.getTime())).toEqual(
      [...items.map((e) => e.startsAt.getTime())].sort((a, b) => a - b),
    );
    expect(nextCursor).toBeNull();
    // Each event says its venue's zone, so every client shows the time the ticket says.
    expect(new Set(items.map((event) => `${event.venue.city}: ${event.venue.timeZone}`))).toEqual(
      new Set(["Austin: America/Chicago", "Portland: America/Los_Angeles", "Manchester: Europe/London"]),
    );
    const soldOut = items.find((event) => event.name === "Lantern Comedy Night");
    expect(soldOut).toMatchObject({ status: "sold_out", counts: { total: 208, sold: 208, available: 0 } });
  });

  it("filters by status, including cancelled when asked", async () => {
    const cancelled = await api.anonymous.listEvents({ status: "cancelled" });
    expect(cancelled.items.map((e) => e.name)).toEqual(["Winter Gala"]);
    const scheduled = await api.anonymous.listEvents({ status: "scheduled" });
    expect(scheduled.items.every((e) => e.status === "scheduled")).toBe(true);
  });

  it("searches names, venues and cities, treating % and _ literally", async () => {
    const byCity = await api.anonymous.listEvents({ query: "austin" });
    expect(byCity.items.map((e) => e.venue.city)).toEqual(["Austin", "Austin"]);
    const byName = await api.anonymous.listEvents({ query: "jazz" });
    expect(byName.items.map((e) => e.name)).toEqual(["Harbor Jazz Sessions"]);
    expect((await api.anonymous.listEvents({ query: "%" })).items).toEqual([]);
  });

  it("pages with an opaque cursor, without gaps or repeats", async () => {
    const all = await api.anonymous.listEvents({ limit: 100 });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.anonymous.listEvents({ limit: 2, cursor });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((e) => e.id));
  });

  it("leaves out events that have already started", async () => {
    const api2 = await api.as("olivia@example.com");
    await api2.upsertEvent({
      externalId: "past-show",
      name: "Yesterday's Show",
      venue: "Harbor Hall",
      startsAt: new Date(Date.now() - 86_400_000).toISOString(),
      status: "on_sale",
    });
    const { items } = await api.anonymous.listEvents({ limit: 100 });
    expect(items.map((e) => e.name)).not.toContain("Yesterday's Show");
  });

  it("rejects a cursor it did not make and a limit over 100", async () => {
    await expect(api.anonymous.listEvents({ cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.anonymous.listEvents({ limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("getEvent", () => {
  it("returns the venue, tiers and seat counts", async () => {
    const event = await api.anonymous.getEvent({ eventId: eventId("harbor-jazz") });
    expect(event.venue).toEqual({
      id: venueId("harbor-hall"),
      name: "Harbor Hall",
      city: "Portland",
      timeZone: "America/Los_Angeles",
    });
    expect(event.tiers.map((tier) => tier.tier)).toEqual(["premium", "standard", "balcony"]);
    expect(event.counts).toEqual({ total: 652, available: 10, held: 0, sold: 642 });
    expect(event.sections.map((s) => s.name).sort()).toEqual(["Balcony", "Mezzanine", "Orchestra"]);
    expect(event.priceFromCents).toBe(4900);
  });

  it("answers NOT_FOUND for an unknown id and BAD_REQUEST for a malformed one", async () => {
    await expect(api.anonymous.getEvent({ eventId: "7a1c7ad8-25d4-4bd7-9d4a-4a5b1e0c9f11" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "Event 7a1c7ad8-25d4-4bd7-9d4a-4a5b1e0c9f11 was not found.",
    });
    await expect(api.anonymous.getEvent({ eventId: "42" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("getAvailableTickets and getSeatMap", () => {
  it("lists only free seats with their price, optionally for one section", async () => {
    const { seats } = await api.anonymous.getAvailableTickets({ eventId: eventId("harbor-jazz") });
    expect(seats).toHaveLength(10);
    expect(seats.every((seat) => seat.section === "Orchestra" && seat.priceCents === 8900)).toBe(true);
    const balcony = await api.anonymous.getAvailableTickets({ eventId: eventId("harbor-jazz"), section: "Balcony" });
    expect(balcony.seats).toEqual([]);
  });

  it("maps every seat with its status", async () => {
    const { seats } = await api.anonymous.getSeatMap({ eventId: eventId("harbor-jazz") });
    expect(seats).toHaveLength(652);
    expect(seats.filter((seat) => seat.status === "available")).toHaveLength(10);
  });

  it("maps one section when asked, and nothing for a section the venue does not have", async () => {
    const { seats } = await api.anonymous.getSeatMap({ eventId: eventId("harbor-jazz"), section: "Balcony" });
    expect(seats).toHaveLength(6 * 18);
    expect(seats.every((seat) => seat.section === "Balcony" && seat.status === "sold")).toBe(true);
    const none = await api.anonymous.getSeatMap({ eventId: eventId("harbor-jazz"), section: "Box" });
    expect(none.seats).toEqual([]);
  });

  it("answers NOT_FOUND for an unknown event", async () => {
    const unknown = { eventId: "00000000-0000-4000-8000-000000000000" };
    await expect(api.anonymous.getAvailableTickets(unknown)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.anonymous.getSeatMap(unknown)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("upsertEvent", () => {
  const row = (externalId: string) => ({
    externalId,
    name: "Spring Recital",
    venue: "The Lantern Room",
    startsAt: "2031-04-01T19:00:00+02:00",
  });

  it("creates with the venue's seat map, then updates by externalId and changes nothing on a repeat", async () => {
    const service = api.service;
    const created = await service.upsertEvent(row("recital-1"));
    expect(created.created).toBe(true);
    expect(created.event).toMatchObject({ status: "scheduled", counts: { total: 208, available: 208 } });
    expect(created.event.startsAt.toISOString()).toBe("2031-04-01T17:00:00.000Z");
    const updated = await service.upsertEvent({
      ...row("recital-1"),
      name: "Spring Recital (2nd night)",
      status: "on_sale",
    });
    expect(updated).toMatchObject({
      created: false,
      event: { id: created.event.id, name: "Spring Recital (2nd night)", status: "on_sale" },
    });
    const again = await service.upsertEvent({
      ...row("recital-1"),
      name: "Spring Recital (2nd night)",
      status: "on_sale",
    });
    expect(again.event).toEqual(updated.event);
  });

  it("lets organizers create their own events but not change another organizer's", async () => {
    const olivia = await api.as("olivia@example.com");
    const omar = await api.as("omar@example.com");
    const mine = await olivia.upsertEvent(row("olivia-recital"));
    expect(mine.event.organizerId).toBe((await api.userByEmail("olivia@example.com")).id);
    await expect(omar.upsertEvent(row("olivia-recital"))).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Only the event's organizer or an admin can manage this event.",
    });
  });

  it("refuses customers and unknown venues", async () => {
    const alice = await api.as("alice@example.com");
    await expect(alice.upsertEvent(row("alice-show"))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.service.upsertEvent({ ...row("nowhere"), venue: "Nowhere Hall" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'Venue "Nowhere Hall" was not found.',
    });
    await expect(api.service.upsertEvent({ ...row("no-time"), startsAt: "April 1st, 7 PM" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("startsAt must be an ISO 8601 date-time with a UTC offset"),
    });
    await expect(api.anonymous.upsertEvent(row("anon"))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("reads a local start time in the venue's zone, and refuses one that daylight saving skips or repeats", async () => {
    // The Lantern Room is in Austin: America/Chicago, UTC-6 in winter and UTC-5 in summer.
    const winter = await api.service.upsertEvent({ ...row("local-winter"), startsAt: "2031-01-10T19:30" });
    expect(winter.event.startsAt).toEqual(new Date("2031-01-11T01:30:00Z"));
    expect(winter.event.venue.timeZone).toBe("America/Chicago");
    const summer = await api.service.upsertEvent({ ...row("local-summer"), startsAt: "2031-07-10T19:30:00" });
    expect(summer.event.startsAt).toEqual(new Date("2031-07-11T00:30:00Z"));

    // 2031-03-09: 2:00 AM becomes 3:00 AM. 2031-11-02: 1:00–2:00 AM happens twice.
    await expect(api.service.upsertEvent({ ...row("local-gap"), startsAt: "2031-03-09T02:30" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message:
        "startsAt 2031-03-09T02:30 does not exist in America/Chicago: the clocks skip it when daylight saving time begins. Give another time, or one with a UTC offset.",
    });
    await expect(
      api.service.upsertEvent({ ...row("local-overlap"), startsAt: "2031-11-02T01:30" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message:
        "startsAt 2031-11-02T01:30 happens twice in America/Chicago: the clocks pass it again when daylight saving time ends. Give it with its UTC offset: 2031-11-02T01:30:00-05:00 (the first) or 2031-11-02T01:30:00-06:00 (the second).",
    });
    // The way out the message names works.
    const second = await api.service.upsertEvent({ ...row("local-overlap"), startsAt: "2031-11-02T01:30:00-06:00" });
    expect(second.event.startsAt).toEqual(new Date("2031-11-02T07:30:00Z"));
  });
});

describe("getSalesSummary", () => {
  it("sums sold seats and revenue per section for the organizer and admins", async () => {
    const olivia = await api.as("olivia@example.com");
    const summary = await olivia.getSalesSummary({ eventId: eventId("harbor-jazz") });
    expect(summary.totals).toMatchObject({ sold: 642, available: 10, held: 0 });
    expect(summary.totals.revenueCents).toBe(summary.sections.reduce((sum, s) => sum + s.revenueCents, 0));
    expect(summary.sections.find((s) => s.section === "Balcony")).toMatchObject({
      sold: 108,
      revenueCents: 108 * 4900,
    });
    const admin = await api.as("admin@example.com");
    await expect(admin.getSalesSummary({ eventId: eventId("harbor-jazz") })).resolves.toEqual(summary);
  });

  it("is forbidden to other organizers, customers and the service, and needs a session", async () => {
    for (const email of ["omar@example.com", "alice@example.com"]) {
      const caller = await api.as(email);
      await expect(caller.getSalesSummary({ eventId: eventId("harbor-jazz") })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    await expect(api.service.getSalesSummary({ eventId: eventId("harbor-jazz") })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(api.anonymous.getSalesSummary({ eventId: eventId("harbor-jazz") })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});

describe("listOrganizedEvents", () => {
  it("lists every event the organizer runs, cancelled and not yet on sale included", async () => {
    const olivia = await api.as("olivia@example.com");
    const { items } = await olivia.listOrganizedEvents();
    const names = items.map((event) => event.name);
    expect(names).toEqual(
      expect.arrayContaining(["Harbor Jazz Sessions", "Aurora Ballet: The Firebird", "Acoustic Evenings: Lena Park"]),
    );
    expect(names).not.toContain("Lantern Comedy Night");
    const olivias = (await api.userByEmail("olivia@example.com")).id;
    expect(items.every((event) => event.organizerId === olivias)).toBe(true);

    const omar = await api.as("omar@example.com");
    expect((await omar.listOrganizedEvents()).items.map((event) => event.name)).toContain("Winter Gala");
  });

  it("shows admins every event", async () => {
    const admin = await api.as("admin@example.com");
    const everyone = (await admin.listOrganizedEvents()).items.map((event) => event.name);
    expect(everyone).toEqual(expect.arrayContaining(["Harbor Jazz Sessions", "Lantern Comedy Night", "Winter Gala"]));
  });

  it("tells customers and the service that only organizers have events to manage", async () => {
    const alice = await api.as("alice@example.com");
    await expect(alice.listOrganizedEvents()).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Only organizers and admins have events to manage.",
    });
    await expect(api.service.listOrganizedEvents()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.anonymous.listOrganizedEvents()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
