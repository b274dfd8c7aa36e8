"use client";

import type { RouterOutputs } from "@ticketing/api";
import { createContext, type ReactNode, useCallback, useContext, useEffect } from "react";
import { type Remote, useRemoteData } from "@/lib/remote-data";
import { rpc } from "@/trpc/browser";

export type EventDetails = RouterOutputs["getEvent"];

const EventContext = createContext<Remote<EventDetails> | null>(null);

/**
 * The event as the server rendered it, shared by the page's islands (its status and count in
 * the hero, the seat picker) and refreshed as seats change. When the server could not reach
 * the API, the browser asks for it itself.
 */
export function EventData({
  eventId,
  initial,
  children,
}: {
  eventId: string;
  initial: EventDetails | null;
  children: ReactNode;
}) {
  const load = useCallback(async () => (await rpc()).getEvent.query({ eventId }), [eventId]);
  const event = useRemoteData<"event", EventDetails>(load, initial ? [["event", initial]] : []);
  const { ensure } = event;
  useEffect(() => ensure("event"), [ensure]);
  return <EventContext value={event.view("event")}>{children}</EventContext>;
}

export function useEvent(): Remote<EventDetails> {
  const event = useContext(EventContext);
  if (!event) throw new Error("useEvent() needs an <EventData> above it");
  return event;
}
