"use client";

import type { RouterOutputs } from "@ticketing/api";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { declaredError, describeError, errorCode, fieldErrors, signInUrl } from "@/lib/errors";
import { formatMoney, plural } from "@/lib/format";
import { newIdempotencyKey } from "@/lib/idempotency";
import { myBookingsInput } from "@/lib/my-bookings";
import { useAction, useRemoteData } from "@/lib/remote-data";
import { pickSection } from "@/lib/sections";
import { whenIdle } from "@/lib/when-idle";
import { rpc } from "@/trpc/browser";
import { useEvent } from "./event-data";
import { AlertIcon, RefreshIcon, XIcon } from "./icons";
import { useLiveAvailability } from "./live-availability";
import { OwnHolds } from "./own-holds";
import { QueryNotice } from "./query-notice";
import { type Seat, SeatMap } from "./seat-map";

type SeatMapData = RouterOutputs["getSeatMap"];
type MyBookings = RouterOutputs["listMyBookings"];

/** The server enforces the same limit (createBookingInput); the map stops at it so nobody is refused late. */
const MAX_SEATS = 10;

/** One key per intent: the same seats (or quantity) asked for again reuse the key, so a double click books once. */
function useIntentKey() {
  const intent = useRef<{ signature: string; key: string } | null>(null);
  return useCallback((signature: string) => {
    if (intent.current?.signature !== signature) intent.current = { signature, key: newIdempotencyKey() };
    return intent.current.key;
  }, []);
}

interface Props {
  eventId: string;
  signedIn: boolean;
  initialSection: string | undefined;
  /** The opening section's seats, as the server rendered them. */
  initialSeatMap: SeatMapData | null;
  /** The viewer's bookings (for their own holds), as the server rendered them; null when signed out. */
  initialBookings: MyBookings | null;
  initialSeatIds: string[];
}

/**
 * The seat picker: the one interactive part of the event page. It starts from what the
 * server fetched (props), so it paints with the HTML and hydrates without a request; later
 * sections, refreshes and bookings go through the tRPC client, which loads on first use.
 */
export function EventView({
  eventId,
  signedIn,
  initialSection,
  initialSeatMap,
  initialBookings,
  initialSeatIds,
}: Props) {
  const router = useRouter();
  const quantityId = useId();
  const event = useEvent();
  const sections = event.data?.sections ?? [];
  const [chosenSection, setSection] = useState<string | undefined>();
  const activeSection = chosenSection ?? initialSection ?? pickSection(sections);

  // One section at a time, each loaded once and then kept live (see useLiveAvailability).
  const loadSection = useCallback(
    async (section: string) => (await rpc()).getSeatMap.query({ eventId, section }),
    [eventId],
  );
  const seatMaps = useRemoteData<string, SeatMapData>(
    loadSection,
    initialSection && initialSeatMap ? [[initialSection, initialSeatMap]] : [],
  );
  const { ensure: ensureSection, updateAll: updateSeatMaps, refetchAll: refetchSeatMaps } = seatMaps;
  useEffect(() => {
    if (activeSection !== undefined) ensureSection(activeSection);
  }, [activeSection, ensureSection]);
  const seatMap = seatMaps.view(activeSection ?? "");

  const refetchEvent = event.refetch;
  useLiveAvailability(eventId, initialSeatMap?.lastChangeId, {
    onSeats: (changed, status) =>
      updateSeatMaps((map) =>
        map.seats.some((seat) => changed.has(seat.seatId))
          ? { ...map, seats: map.seats.map((seat) => (changed.has(seat.seatId) ? { ...seat, status } : seat)) }
          : map,
      ),
    onReset: () => void refetchSeatMaps(),
    onCounts: () => void refetchEvent(),
  });
  // A section's seats load when its tab is pointed at or focused, so the switch itself is instant.
  const prefetchSection = (name: string) => ensureSection(name);

  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set(initialSeatIds));
  // Seats another buyer took while these were picked, as the declared SEATS_TAKEN error names them.
  const [justTaken, setJustTaken] = useState<ReadonlySet<string>>(() => new Set());
  const [quantity, setQuantity] = useState("2");
  const [notice, setNotice] = useState<string | null>(null);
  const intentKey = useIntentKey();

  // The buyer's own unpaid holds on this event: shown as theirs on the map, with the way back to checkout.
  const loadBookings = useCallback(async () => (await rpc()).listMyBookings.query(myBookingsInput), []);
  const myBookings = useRemoteData<"mine", MyBookings>(
    loadBookings,
    initialBookings ? [["mine", initialBookings]] : [],
  );
  const { fetch: fetchBookings } = myBookings;
  // A page restored from the browser's history (back from checkout) shows the holds of its
  // first render: once idle, ask again, so a hold made since shows as the buyer's own.
  useEffect(() => {
    if (!signedIn) return;
    return whenIdle(() => void fetchBookings("mine"), 2_000);
  }, [signedIn, fetchBookings]);
  const bookings = myBookings.view("mine").data;
  const ownHolds = useMemo(
    () =>
      (bookings?.items ?? []).filter(
        (booking) =>
          booking.status === "held" && booking.event.id === eventId && booking.expiresAt.getTime() > Date.now(),
      ),
    [bookings, eventId],
  );
  const mine = useMemo(
    () => new Set(ownHolds.flatMap((booking) => booking.seats.map((seat) => seat.seatId))),
    [ownHolds],
  );

  const seats = seatMap.data?.seats;
  // Every seat of every section loaded so far: the selection may span sections.
  const seatById = new Map<string, Seat>();
  for (const entry of seatMaps.entries.values()) {
    for (const seat of entry.data?.seats ?? []) seatById.set(seat.seatId, seat);
  }

  // A seat that stopped being available (someone else's hold, a refresh after a conflict) leaves the selection.
  useEffect(() => {
    if (!seats) return;
    const gone = new Set(seats.filter((seat) => seat.status !== "available").map((seat) => seat.seatId));
    setSelected((current) => {
      const kept = [...current].filter((id) => !gone.has(id));
      return kept.length === current.size ? current : new Set(kept);
    });
  }, [seats]);

  const tiers = event.data?.tiers;
  const tierRank = useMemo(() => new Map(tiers?.map((tier, index) => [tier.tier, index])), [tiers]);
  const tierNames = useMemo(() => new Map(tiers?.map((tier) => [tier.tier, tier.name])), [tiers]);

  const onToggle = useCallback((seat: Seat) => {
    setNotice(null);
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(seat.seatId)) next.delete(seat.seatId);
      else if (next.size < MAX_SEATS) next.add(seat.seatId);
      else setNotice(`You can book up to ${MAX_SEATS} seats at a time.`);
      return next;
    });
  }, []);

  const book = useAction(
    async (request: { seatIds: string[] } | { quantity: number }, idempotencyKey: string) => {
      const booking = await (await rpc()).createBooking.mutate({ eventId, ...request, idempotencyKey });
      router.push(`/checkout/${booking.id}`);
    },
    (error) => {
      const code = errorCode(error);
      if (code === "UNAUTHORIZED") {
        const picked = [...selected].join(",");
        const params = new URLSearchParams(activeSection ? { section: activeSection } : {});
        if (picked) params.set("seats", picked);
        router.push(signInUrl(`/events/${eventId}?${params}`));
      } else if (code === "CONFLICT") {
        const failure = declaredError(error, "createBooking");
        if (failure?.reason === "SEATS_TAKEN") setJustTaken(new Set(failure.seatIds));
        void refetchSeatMaps();
        void refetchEvent();
      }
    },
  );

  const submit = (request: { seatIds: string[] } | { quantity: number }) => {
    const signature =
      "seatIds" in request ? `seats:${[...request.seatIds].sort().join(",")}` : `qty:${request.quantity}`;
    setJustTaken(new Set());
    void book.run(request, intentKey(signature));
  };

  const onReleased = useCallback(
    () => Promise.all([fetchBookings("mine"), refetchSeatMaps()]).then(() => undefined),
    [fetchBookings, refetchSeatMaps],
  );

  const picked = [...selected].flatMap((id) => seatById.get(id) ?? []);
  const total = picked.reduce((sum, seat) => sum + seat.priceCents, 0);
  const errors = fieldErrors(book.error);
  // Field errors sit beside their fields; the panel's alert is for everything else.
  const bookingError =
    book.error && errorCode(book.error) !== "UNAUTHORIZED" && Object.keys(errors).length === 0 ? book.error : null;
  const bookable = event.data?.status === "on_sale";
  const seatsInSection = seats ?? [];

  if (!event.data) {
    return <QueryNotice query={event} what="this event" />;
  }
  const e = event.data;

  return (
    <>
      <QueryNotice query={event} what="event details" />
      <QueryNotice query={seatMap} what="seat map" />
      {ownHolds.length > 0 && <OwnHolds eventId={eventId} holds={ownHolds} onReleased={onReleased} />}

      <div className="event-layout">
        <section className="card" aria-labelledby="map-heading">
          <div className="map-header">
            <h2 id="map-heading">Choose your seats</h2>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => void seatMap.refetch()}
              aria-disabled={seatMap.isFetching}
            >
              <RefreshIcon /> Refresh<span className="wide-only"> availability</span>
            </button>
          </div>
          <ul className="tiers" aria-label="Price tiers">
            {e.tiers.map((tier) => (
              <li key={tier.tier} className="tier">
                <strong>{tier.name}</strong> {formatMoney(tier.priceCents)}
              </li>
            ))}
          </ul>
          <div className="sections" role="tablist" aria-label="Sections">
            {sections.map((s) => (
              <button
                key={s.name}
                type="button"
                role="tab"
                className="section-tab"
                aria-selected={s.name === activeSection}
                aria-controls="seat-panel"
                onClick={() => setSection(s.name)}
                onPointerEnter={() => prefetchSection(s.name)}
                onFocus={() => prefetchSection(s.name)}
              >
                <span className="section-tab__name">{s.name}</span>
                <span className="section-tab__count">{s.available} available</span>
              </button>
            ))}
          </div>
          <div id="seat-panel" role="tabpanel" aria-label={activeSection ? `Section ${activeSection}` : "Seats"}>
            {activeSection && seatsInSection.length > 0 ? (
              <SeatMap
                key={activeSection}
                section={activeSection}
                seats={seatsInSection}
                selected={selected}
                mine={mine}
                taken={justTaken}
                tierRank={tierRank}
                tierNames={tierNames}
                onToggle={onToggle}
              />
            ) : (
              !seatMap.isError && (
                <p className="muted" role="status">
                  {seatMap.isPending ? `Loading the seats in ${activeSection ?? "this section"}…` : "No seats here."}
                </p>
              )
            )}
          </div>
        </section>

        <div className="event-side">
          <aside className="card booking-panel" aria-labelledby="booking-heading">
            <h2 id="booking-heading">Your tickets</h2>
            {!bookable && (
              <div className="alert alert--info" role="status">
                <p>
                  {e.status === "scheduled"
                    ? "Tickets are not on sale yet. Check back soon."
                    : e.status === "sold_out"
                      ? "This event is sold out."
                      : "This event was cancelled."}
                </p>
              </div>
            )}
            {bookingError && (
              <div className="alert alert--error" role="alert" data-testid="booking-error">
                <AlertIcon />
                <div className="alert__body">
                  <p>{describeError(bookingError)}</p>
                  {errorCode(bookingError) === "CONFLICT" && (
                    <p>The seat map has been refreshed with the latest availability.</p>
                  )}
                </div>
              </div>
            )}
            {notice && (
              <p className="field__error" role="status">
                {notice}
              </p>
            )}
            {picked.length === 0 ? (
              <p className="muted">Pick seats on the map, or let us find the best available ones.</p>
            ) : (
              <ul className="selection" aria-label="Selected seats">
                {picked.map((seat) => (
                  <li key={seat.seatId}>
                    <span>
                      {seat.section} · Row {seat.row} · Seat {seat.number}
                    </span>
                    <span>
                      {formatMoney(seat.priceCents)}
                      <button
                        type="button"
                        aria-label={`Remove ${seat.section} row ${seat.row} seat ${seat.number}`}
                        onClick={() => onToggle(seat)}
                      >
                        <XIcon width={16} height={16} />
                      </button>
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {errors.seatIds && <p className="field__error">{errors.seatIds}</p>}
            {picked.length > 0 && (
              <div className="total">
                <span>Total</span>
                <span>{formatMoney(total)}</span>
              </div>
            )}
            <button
              type="button"
              className="button button--block"
              disabled={!bookable || picked.length === 0}
              aria-disabled={book.isPending}
              onClick={() => submit({ seatIds: picked.map((seat) => seat.seatId) })}
            >
              {book.isPending
                ? "Holding your seats…"
                : signedIn
                  ? `Book ${picked.length > 0 ? plural(picked.length, "seat") : "seats"}`
                  : "Sign in and book"}
            </button>
          </aside>

          <section className="card quick-pick" aria-labelledby="quick-pick-heading">
            <h2 id="quick-pick-heading" className="visually-hidden">
              Or let us choose
            </h2>
            <form
              noValidate
              onSubmit={(formEvent) => {
                formEvent.preventDefault();
                submit({ quantity: Number(quantity) });
              }}
            >
              <div className="field">
                <label htmlFor={quantityId}>Best available seats</label>
                <div className="quantity-row">
                  <input
                    id={quantityId}
                    className="input"
                    type="number"
                    inputMode="numeric"
                    value={quantity}
                    aria-invalid={errors.quantity ? true : undefined}
                    aria-describedby={errors.quantity ? `${quantityId}-error` : undefined}
                    onChange={(change) => setQuantity(change.target.value)}
                  />
                  <button
                    type="submit"
                    className="button button--secondary"
                    disabled={!bookable}
                    aria-disabled={book.isPending}
                  >
                    Find seats
                  </button>
                </div>
                {errors.quantity && (
                  <p id={`${quantityId}-error`} className="field__error">
                    {errors.quantity}
                  </p>
                )}
              </div>
            </form>
          </section>
        </div>
      </div>
    </>
  );
}
