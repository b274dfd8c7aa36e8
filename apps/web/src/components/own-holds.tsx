"use client";

import type { RouterOutputs } from "@ticketing/api";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError, errorCode, signInUrl } from "@/lib/errors";
import { formatMoney, formatRemaining, plural } from "@/lib/format";
import { newIdempotencyKey } from "@/lib/idempotency";
import { useAction } from "@/lib/remote-data";
import { rpc } from "@/trpc/browser";
import { useRemaining } from "./countdown";
import { ClockIcon } from "./icons";

type Booking = RouterOutputs["listMyBookings"]["items"][number];

interface HoldsProps {
  eventId: string;
  /** After a release: the page reloads the holds and the map. */
  onReleased(): Promise<void>;
}

function OwnHold({ eventId, booking, onReleased }: HoldsProps & { booking: Booking }) {
  const router = useRouter();
  const remaining = useRemaining(booking.expiresAt);
  // One release intent per hold: a double tap releases once.
  const [key] = useState(newIdempotencyKey);
  const release = useAction(
    async () => {
      await (await rpc()).cancelBooking.mutate({ bookingId: booking.id }, { context: { idempotencyKey: key } });
      await onReleased();
    },
    (error) => {
      if (errorCode(error) === "UNAUTHORIZED") router.push(signInUrl(`/events/${eventId}`));
    },
  );
  const seats = booking.seats.map((seat) => `${seat.section} row ${seat.row} seat ${seat.number}`).join(", ");
  return (
    <li className="own-hold" data-testid="own-hold">
      <div className="own-hold__text">
        <strong>
          {plural(booking.seats.length, "seat")} held for you · {formatMoney(booking.totalCents)}
        </strong>
        <span className="own-hold__seats">{seats}</span>
        <span className="own-hold__time" role="timer" aria-live="off">
          <ClockIcon width={16} height={16} />
          {remaining > 0 ? (
            <span>
              <time suppressHydrationWarning>{formatRemaining(remaining)}</time> left to pay
            </span>
          ) : (
            <span>This hold has run out</span>
          )}
        </span>
        {release.error && (
          <span className="field__error" role="alert">
            {describeError(release.error)}
          </span>
        )}
      </div>
      <div className="own-hold__actions">
        {remaining > 0 && (
          <Link href={`/checkout/${booking.id}`} className="button button--small">
            Complete checkout
          </Link>
        )}
        <button
          type="button"
          className="button button--secondary button--small"
          aria-disabled={release.isPending}
          onClick={() => void release.run()}
        >
          {release.isPending ? "Releasing…" : "Release seats"}
        </button>
      </div>
    </li>
  );
}

/**
 * The buyer's own unpaid holds on this event, each with its countdown, the way back to its
 * checkout, and a release. Their seats are marked "yours" on the map.
 */
export function OwnHolds({ eventId, holds, onReleased }: HoldsProps & { holds: Booking[] }) {
  return (
    <section className="own-holds" aria-labelledby="own-holds-heading">
      <h2 id="own-holds-heading">Your seats on hold</h2>
      <ul>
        {holds.map((booking) => (
          <OwnHold key={booking.id} eventId={eventId} booking={booking} onReleased={onReleased} />
        ))}
      </ul>
    </section>
  );
}
