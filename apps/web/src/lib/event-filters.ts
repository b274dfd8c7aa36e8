import type { EventSummary } from "@ticketing/api/schemas";

export type EventStatusFilter = EventSummary["status"];

const EVENT_PAGE_SIZE = 12;

const statuses: readonly EventStatusFilter[] = ["on_sale", "scheduled", "sold_out", "cancelled"];

export interface EventFilters {
  query: string;
  status: EventStatusFilter | undefined;
}

/** Reads the list's filters from the URL, ignoring values the API would refuse. */
export function parseEventFilters(params: { q?: string | string[]; status?: string | string[] }): EventFilters {
  const q = typeof params.q === "string" ? params.q.trim().slice(0, 100) : "";
  const status = statuses.find((s) => s === params.status);
  return { query: q, status };
}

/** The listEvents input for these filters; the server prefetch and the browser must agree on it exactly. */
export function listEventsInput(filters: EventFilters) {
  return {
    ...(filters.query && { query: filters.query }),
    ...(filters.status && { status: filters.status }),
    limit: EVENT_PAGE_SIZE,
  };
}
