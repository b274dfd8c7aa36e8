"use client";

import type { RouterOutputs } from "@ticketing/api";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { describeError, errorCode, signInUrl } from "@/lib/errors";
import { bookingStatusLabels, formatMoney, plural } from "@/lib/format";
import { newIdempotencyKey } from "@/lib/idempotency";
import { myBookingsInput } from "@/lib/my-bookings";
import { useAction, useRemoteData } from "@/lib/remote-data";
import { rpc } from "@/trpc/browser";
import { EventTime } from "./event-time";
import { CalendarIcon, PinIcon } from "./icons";
import { QueryNotice } from "./query-notice";

type BookingList = RouterOutputs["listMyBookings"];
type Booking = BookingList["items"][number];

function BookingActions({ booking, onCancelled }: { booking: Booking; onCancelled(): Promise<void> }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  // One cancel intent per row: a double click on "Yes, cancel" cancels once.
  const [key] = useState(newIdempotencyKey);
  const cancel = useAction(
    async () => {
      await (await rpc()).cancelBooking.mutate({ bookingId: booking.id }, { context: { idempotencyKey: key } });
      setConfirming(false);
      await onCancelled();
    },
    (error) => {
      if (errorCode(error) === "UNAUTHORIZED") router.push(signInUrl("/bookings"));
    },
  );
  const cancellable = booking.status === "held" || booking.status === "confirmed";

  return (
    <div className="booking-card__actions">
      {booking.status === "held" && (
        <Link href={`/checkout/${booking.id}`} className="button button--small">
          Complete checkout
        </Link>
      )}
      {booking.status === "confirmed" && (
        <Link href={`/bookings/${booking.id}`} className="button button--secondary button--small">
          View tickets
        </Link>
      )}
      {cancellable &&
        (confirming ? (
          <fieldset className="confirm-row">
            <legend className="muted">Cancel and release the seats?</legend>
            <button
              type="button"
              className="button button--danger button--small"
              aria-disabled={cancel.isPending}
              onClick={() => void cancel.run()}
            >
              {cancel.isPending ? "Cancelling…" : "Yes, cancel"}
            </button>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => setConfirming(false)}
            >
              Keep it
            </button>
          </fieldset>
        ) : (
          <button type="button" className="button button--danger button--small" onClick={() => setConfirming(true)}>
            Cancel booking
          </button>
        ))}
      {cancel.error && (
        <p className="field__error" role="alert">
          {describeError(cancel.error)}
        </p>
      )}
    </div>
  );
}

/** The list comes from the server render (props); the tRPC client loads with the first cancel. */
export function MyBookings({ initial }: { initial: BookingList }) {
  const load = useCallback(async () => (await rpc()).listMyBookings.query(myBookingsInput), []);
  const list = useRemoteData<"mine", BookingList>(load, [["mine", initial]]);
  const bookings = list.view("mine");
  const refetch = bookings.refetch;
  const items = bookings.data?.items ?? [];

  return (
    <>
      <QueryNotice query={bookings} what="bookings" />
      {bookings.data && items.length === 0 && (
        <div className="card empty">
          <p>No bookings yet.</p>
          <Link href="/" className="button">
            Find an event
          </Link>
        </div>
      )}
      <ul className="booking-list">
        {items.map((booking) => (
          <li key={booking.id}>
            <article className="card booking-card" aria-labelledby={`booking-${booking.id}`} data-testid="booking">
              <div>
                <div className="event-hero__top">
                  <span className={`badge badge--${booking.status}`}>{bookingStatusLabels[booking.status]}</span>
                  <span className="muted">
                    {plural(booking.seats.length, "seat")} · {formatMoney(booking.totalCents)}
                  </span>
                </div>
                <h2 id={`booking-${booking.id}`}>
                  <Link href={`/events/${booking.event.id}`}>{booking.event.name}</Link>
                </h2>
                <div className="meta">
                  <span>
                    <CalendarIcon /> <EventTime at={booking.event.startsAt} timeZone={booking.event.timeZone} />
                  </span>
                  <span>
                    <PinIcon /> {booking.event.venueName}, {booking.event.city}
                  </span>
                </div>
                <p className="booking-card__seats">
                  {booking.seats.map((seat) => `${seat.section} row ${seat.row} seat ${seat.number}`).join(" · ")}
                </p>
              </div>
              <BookingActions booking={booking} onCancelled={refetch} />
            </article>
          </li>
        ))}
      </ul>
    </>
  );
}
