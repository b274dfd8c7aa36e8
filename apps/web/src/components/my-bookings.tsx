"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@ticketing/api";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError, errorCode, signInUrl } from "@/lib/errors";
import { bookingStatusLabels, formatMoney, plural } from "@/lib/format";
import { myBookingsInput } from "@/lib/my-bookings";
import { useTRPC } from "@/trpc/client";
import { newIdempotencyKey } from "@/trpc/links";
import { EventTime } from "./event-time";
import { CalendarIcon, PinIcon } from "./icons";
import { QueryNotice } from "./query-notice";

type Booking = RouterOutputs["listMyBookings"]["items"][number];

function BookingActions({ booking }: { booking: Booking }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  // One cancel intent per row: a double click on "Yes, cancel" cancels once.
  const [key] = useState(newIdempotencyKey);
  const cancel = useMutation(
    trpc.cancelBooking.mutationOptions({
      trpc: { context: { idempotencyKey: key } },
      onSuccess: () => {
        setConfirming(false);
        return queryClient.invalidateQueries(trpc.listMyBookings.queryFilter());
      },
      onError: (error) => {
        if (errorCode(error) === "UNAUTHORIZED") router.push(signInUrl("/bookings"));
      },
    }),
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
              onClick={() => !cancel.isPending && cancel.mutate({ bookingId: booking.id })}
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

export function MyBookings() {
  const trpc = useTRPC();
  const bookings = useQuery(trpc.listMyBookings.queryOptions(myBookingsInput));
  const items = bookings.data?.items ?? [];

  return (
    <>
      <QueryNotice query={bookings} what="bookings" />
      {bookings.isSuccess && items.length === 0 && (
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
              <BookingActions booking={booking} />
            </article>
          </li>
        ))}
      </ul>
    </>
  );
}
