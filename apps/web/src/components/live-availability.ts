"use client";

import { useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@ticketing/api";
import { useEffect, useRef } from "react";
import { useTRPC, useTRPCClient } from "@/trpc/client";

type SeatMapData = RouterOutputs["getSeatMap"];

/** Counts (per section, on the event) are refetched at most this often while changes stream in. */
const COUNTS_REFRESH_MS = 500;

/** The stream opens when the page is idle, and no later than this after the map rendered. */
const STREAM_DELAY_MAX_MS = 2_000;

/** Runs `task` when the browser is idle (or after `timeoutMs`); returns a cancel. */
function whenIdle(task: () => void, timeoutMs: number): () => void {
  if (typeof requestIdleCallback === "function") {
    const id = requestIdleCallback(task, { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const timer = setTimeout(task, 0);
  return () => clearTimeout(timer);
}

/**
 * Keeps an event's seat maps live: each change the server streams (onAvailabilityChange,
 * server-sent events) repaints the seats it names in every section loaded so far, and the
 * counts are refetched shortly after. It resumes after `lastChangeId`, the change the
 * server-rendered map reflects, so nothing between render and subscription is missed; a
 * reconnect resumes by itself. A `reset` (the change log no longer reaches back that far)
 * reloads the maps.
 */
export function useLiveAvailability(eventId: string, lastChangeId: string | undefined): void {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  // Only where the first render stood matters; later the subscription tracks its own position.
  const resumeFrom = useRef(lastChangeId);

  useEffect(() => {
    const seatMaps = trpc.getSeatMap.queryFilter({ eventId });
    let countsTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshCounts = () => {
      countsTimer ??= setTimeout(() => {
        countsTimer = undefined;
        void queryClient.invalidateQueries(trpc.getEvent.queryFilter({ eventId }));
      }, COUNTS_REFRESH_MS);
    };
    let subscription: { unsubscribe(): void } | undefined;
    const subscribe = () => {
      subscription = client.onAvailabilityChange.subscribe(
        { eventId, lastEventId: resumeFrom.current },
        {
          onData: ({ data: change }) => {
            refreshCounts();
            if (change.kind === "reset") {
              void queryClient.invalidateQueries(seatMaps);
              return;
            }
            const changed = new Set(change.seatIds);
            queryClient.setQueriesData<SeatMapData>(seatMaps, (map) =>
              map?.seats.some((seat) => changed.has(seat.seatId))
                ? {
                    ...map,
                    seats: map.seats.map((seat) =>
                      changed.has(seat.seatId) ? { ...seat, status: change.status } : seat,
                    ),
                  }
                : map,
            );
          },
        },
      );
    };
    // The first paint does not need the stream: it opens once the page is idle. Nothing is
    // missed meanwhile, since it resumes from the change the rendered map reflects.
    const cancelStart = whenIdle(subscribe, STREAM_DELAY_MAX_MS);
    return () => {
      cancelStart();
      clearTimeout(countsTimer);
      subscription?.unsubscribe();
    };
  }, [client, queryClient, trpc, eventId]);
}
