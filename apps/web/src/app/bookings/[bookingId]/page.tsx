import type { Metadata } from "next";
import Link from "next/link";
import { EventTime } from "@/components/event-time";
import { CalendarIcon, CheckIcon, PinIcon } from "@/components/icons";
import { loadBookingForPage } from "@/lib/booking-page";
import { bookingStatusLabels, formatMoney, plural } from "@/lib/format";

export const metadata: Metadata = { title: "Your booking" };

export default async function BookingPage({ params }: { params: Promise<{ bookingId: string }> }) {
  const { bookingId } = await params;
  const booking = await loadBookingForPage(bookingId, `/bookings/${bookingId}`);
  const confirmed = booking.status === "confirmed";
  return (
    <div className="narrow">
      <section className="card" aria-labelledby="booking-heading">
        {confirmed && (
          <div className="success-mark">
            <CheckIcon width={28} height={28} />
          </div>
        )}
        <h1 id="booking-heading">
          {confirmed ? "You're going!" : `Booking ${bookingStatusLabels[booking.status].toLowerCase()}`}
        </h1>
        <p className="muted">
          {confirmed
            ? `Payment received. ${plural(booking.seats.length, "ticket")} for ${booking.event.name} ${booking.seats.length === 1 ? "is" : "are"} yours; a confirmation email is on its way.`
            : `This booking for ${booking.event.name} is ${bookingStatusLabels[booking.status].toLowerCase()}.`}
        </p>
        <div className="meta">
          <span>
            <CalendarIcon /> <EventTime at={booking.event.startsAt} timeZone={booking.event.timeZone} />
          </span>
          <span>
            <PinIcon /> {booking.event.venueName}, {booking.event.city}
          </span>
        </div>
        <ul className="line-items" style={{ marginTop: "1rem" }}>
          {booking.seats.map((seat) => (
            <li key={seat.seatId}>
              <span>
                {seat.section} · Row {seat.row} · Seat {seat.number}
              </span>
              <span>{formatMoney(seat.priceCents)}</span>
            </li>
          ))}
        </ul>
        <div className="total">
          <span>{confirmed ? "Paid" : "Total"}</span>
          <span>{formatMoney(booking.totalCents)}</span>
        </div>
        <p className="muted">
          Booking reference <code>{booking.id.slice(0, 8).toUpperCase()}</code>
        </p>
        <div className="confirm-row" style={{ justifyContent: "flex-start" }}>
          {booking.status === "held" && (
            <Link href={`/checkout/${booking.id}`} className="button">
              Complete checkout
            </Link>
          )}
          <Link href="/bookings" className="button button--secondary">
            My bookings
          </Link>
          <Link href="/" className="button button--secondary">
            Browse more events
          </Link>
        </div>
      </section>
    </div>
  );
}
