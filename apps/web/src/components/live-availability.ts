"use client";

import type { RouterOutputs } from "@ticketing/api";
import { useEffect, useRef } from "react";
import { whenIdle } from "@/lib/when-idle";
import { rpc } from "@/trpc/browser";

type SeatStatus = RouterOutputs["getSeatMap"]["seats"][number]["status"];

/** What the page does with the stream's news. */
export interface LiveAvailabilityHandlers {
  /** These seats changed to `status` (in whichever section holds them). */
  onSeats(seatIds: ReadonlySet<string>, status: SeatStatus): void;
  /** The change log no longer reaches back to where the page stood: reload the maps. */
  onReset(): void;
  /** Counts (per section, on the event) changed; called at most every COUNTS_REFRESH_MS. */
  onCounts(): void;
}

/** Counts are refetched at most this often while changes stream in. */
const COUNTS_REFRESH_MS = 500;

/** The stream opens when the loaded page is idle, and no later than this after the load event. */
const STREAM_DELAY_MAX_MS = 2_000;

/**
 * Keeps an event's seat maps live over server-sent events (onAvailabilityChange). It resumes
 * after `lastChangeId`, the change the server-rendered map reflects, so nothing between render
 * and subscription is missed; a reconnect resumes by itself. The stream, and the tRPC client
 * it runs on, load once the page is idle: first paint needs neither.
 */
export function useLiveAvailability(
  eventId: string,
  lastChangeId: string | undefined,
  handlers: LiveAvailabilityHandlers,
): void {
  // Only where the first render stood matters; later the subscription tracks its own position.
  const resumeFrom = useRef(lastChangeId);
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    let stopped = false;
    let countsTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshCounts = () => {
      countsTimer ??= setTimeout(() => {
        countsTimer = undefined;
        latest.current.onCounts();
      }, COUNTS_REFRESH_MS);
    };
    let subscription: { unsubscribe(): void } | undefined;
    const subscribe = async () => {
      const client = await rpc().catch(() => null);
      if (stopped || !client) return;
      subscription = client.onAvailabilityChange.subscribe(
        { eventId, lastEventId: resumeFrom.current },
        {
          onData: ({ data: change }) => {
            refreshCounts();
            if (change.kind === "reset") latest.current.onReset();
            else latest.current.onSeats(new Set(change.seatIds), change.status);
          },
        },
      );
    };
    const cancelStart = whenIdle(() => void subscribe(), STREAM_DELAY_MAX_MS);
    return () => {
      stopped = true;
      cancelStart();
      clearTimeout(countsTimer);
      subscription?.unsubscribe();
    };
  }, [eventId]);
}
