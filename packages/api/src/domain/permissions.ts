import { type Database, schema as t } from "@ticketing/db";
import { eq } from "drizzle-orm";
import type { Action, Decision } from "../schemas/permissions";
import { findUser } from "./auth";
import { DomainError, notFound } from "./errors";
import type { Role, Viewer } from "./viewer";

/**
 * The one authorization policy. checkPermission answers from it, and every procedure
 * that guards a resource asks it the same question, so the two can never disagree.
 */

export type ResourceFacts =
  | { kind: "event"; id: string; organizerId: string }
  | { kind: "booking"; id: string; ownerId: string; organizerId: string }
  | { kind: "admin" };

const allow = (reason: string): Decision => ({ allowed: true, reason });
const deny = (reason: string): Decision => ({ allowed: false, reason });

const BUYERS: ReadonlySet<Role> = new Set(["customer", "organizer", "admin"]);
const OPERATORS: ReadonlySet<Role> = new Set(["admin", "service"]);

function organizerOrAdmin(viewer: Viewer, organizerId: string, denial: string): Decision {
  if (viewer.role === "admin") return allow("Admins can act on every event.");
  if (viewer.id === organizerId) return allow(`${viewer.email} organizes this event.`);
  return deny(denial);
}

export function decide(viewer: Viewer | null, resource: ResourceFacts, action: Action): Decision {
  if (resource.kind === "event" && action === "read") return allow("Events are public.");
  if (!viewer) return deny("Sign in first.");
  switch (resource.kind) {
    case "event":
      if (action === "book") {
        return BUYERS.has(viewer.role)
          ? allow("Signed-in customers, organizers and admins can book.")
          : deny("The service account cannot book seats.");
      }
      return organizerOrAdmin(
        viewer,
        resource.organizerId,
        `Only the event's organizer or an admin can ${action} this event.`,
      );
    case "booking":
      if (action === "manage") {
        return viewer.role === "admin"
          ? allow("Admins can manage every booking.")
          : deny("Only an admin can manage bookings directly.");
      }
      if (viewer.id === resource.ownerId) return allow(`${viewer.email} owns this booking.`);
      if (action === "book") return deny("Only the booking's owner can pay for and confirm it.");
      return organizerOrAdmin(
        viewer,
        resource.organizerId,
        `Only the booking's owner, the event's organizer or an admin can ${action} this booking.`,
      );
    case "admin":
      if ((action === "read" || action === "manage") && OPERATORS.has(viewer.role)) {
        return allow(`The ${viewer.role} role operates the platform.`);
      }
      return viewer.role === "admin" ? allow("Admins can do everything.") : deny("Only admins can do that.");
  }
}

/** Creating events: organizers (for themselves), admins, and the import service. */
export function decideCreateEvent(viewer: Viewer): Decision {
  return viewer.role === "organizer" || OPERATORS.has(viewer.role)
    ? allow(`The ${viewer.role} role can create events.`)
    : deny("Only organizers, admins and the import service can create events.");
}

/** Importing a feed of events: whoever may create events (each row is still checked on its own). */
export function decideImportEvents(viewer: Viewer): Decision {
  return decideCreateEvent(viewer).allowed
    ? allow(`The ${viewer.role} role can import events.`)
    : deny("Only organizers, admins and the import service can import events.");
}

/** An import's progress and report: the person who uploaded it, and admins. */
export function decideReadImport(viewer: Viewer, ownerId: string): Decision {
  if (viewer.id === ownerId) return allow(`${viewer.email} started this import.`);
  return viewer.role === "admin"
    ? allow("Admins can see every import.")
    : deny("Only the person who started an import, or an admin, can see it.");
}

/** Updating an event by import: whoever may manage it, and the import service for any event. */
export function decideUpsertExisting(viewer: Viewer, event: ResourceFacts & { kind: "event" }): Decision {
  if (viewer.role === "service") return allow("The import service keeps imported events up to date.");
  return decide(viewer, event, "manage");
}

/** The organizer's desk: organizers see the events they organize, admins every event. */
export function decideListOrganized(viewer: Viewer): Decision {
  if (viewer.role === "admin") return allow("Admins can see every event.");
  return viewer.role === "organizer"
    ? allow(`${viewer.email} sees the events they organize.`)
    : deny("Only organizers and admins have events to manage.");
}

/** Only the worker leases and acknowledges the outbox. */
export function decideDeliverNotifications(viewer: Viewer): Decision {
  return viewer.role === "service"
    ? allow("The service account delivers notifications.")
    : deny("Only the service account delivers notifications.");
}

export function ensureAllowed(decision: Decision): void {
  if (!decision.allowed) throw new DomainError("FORBIDDEN", decision.reason);
}

export async function loadEventFacts(db: Database, eventId: string): Promise<ResourceFacts & { kind: "event" }> {
  const [row] = await db.select({ organizerId: t.events.organizerId }).from(t.events).where(eq(t.events.id, eventId));
  if (!row) throw notFound(`Event ${eventId}`);
  return { kind: "event", id: eventId, organizerId: row.organizerId };
}

export async function loadBookingFacts(db: Database, bookingId: string): Promise<ResourceFacts & { kind: "booking" }> {
  const [row] = await db
    .select({ ownerId: t.bookings.userId, organizerId: t.events.organizerId })
    .from(t.bookings)
    .innerJoin(t.events, eq(t.events.id, t.bookings.eventId))
    .where(eq(t.bookings.id, bookingId));
  if (!row) throw notFound(`Booking ${bookingId}`);
  return { kind: "booking", id: bookingId, ...row };
}

async function loadFacts(db: Database, resource: string): Promise<ResourceFacts> {
  if (resource === "admin") return { kind: "admin" };
  const [kind, id = ""] = resource.split(":");
  return kind === "event" ? loadEventFacts(db, id) : loadBookingFacts(db, id);
}

/**
 * Answers "may this user do this?". People may ask about themselves; admins and the
 * service account may ask about anyone.
 */
export async function checkPermission(
  db: Database,
  asker: Viewer,
  question: { userId: string; resource: string; action: Action },
): Promise<Decision> {
  if (question.userId !== asker.id && !OPERATORS.has(asker.role)) {
    throw new DomainError("FORBIDDEN", "You can only check your own permissions.");
  }
  const subject = question.userId === asker.id ? asker : await findUser(db, question.userId);
  if (!subject) throw notFound(`User ${question.userId}`);
  return decide(subject, await loadFacts(db, question.resource), question.action);
}
