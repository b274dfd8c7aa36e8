"use client";

import type { RouterInputs, RouterOutputs } from "@ticketing/api";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useCallback, useId, useRef, useState } from "react";
import { declaredError, describeError, errorCode, fieldErrors, signInUrl } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { newIdempotencyKey } from "@/lib/idempotency";
import { useAction, useRemoteData } from "@/lib/remote-data";
import { firstFieldErrors, loadSchemas, warmUpForm } from "@/lib/schemas";
import { rpc } from "@/trpc/browser";
import { Countdown, useRemaining } from "./countdown";
import { EventTime } from "./event-time";
import { AlertIcon } from "./icons";
import { QueryNotice } from "./query-notice";

const testTokens = [
  { token: "tok_visa", label: "Visa that pays" },
  { token: "tok_decline", label: "Card that is declined" },
];

type Booking = RouterOutputs["getBooking"];

/** The booking comes from the server render (props); the tRPC client loads when the buyer pays. */
export function Checkout({ bookingId, initialBooking }: { bookingId: string; initialBooking: Booking }) {
  const router = useRouter();
  const tokenId = useId();
  const loadBooking = useCallback(async () => (await rpc()).getBooking.query({ bookingId }), [bookingId]);
  const bookings = useRemoteData<"booking", Booking>(loadBooking, [["booking", initialBooking]]);
  const booking = bookings.view("booking");
  const setBooking = bookings.set;
  const [paymentToken, setPaymentToken] = useState("tok_visa");
  const [localError, setLocalError] = useState<string | undefined>();
  const tokenInput = useRef<HTMLInputElement>(null);
  // One key per payment attempt: a double click pays once; a declined card's outcome is
  // stored under its key, so the next attempt needs a new one.
  const attemptKey = useRef<string | null>(null);
  // While the schema loads (first submit only), a second submit is ignored.
  const checking = useRef(false);

  const confirm = useAction(
    async (input: RouterInputs["confirmBooking"]) => {
      const confirmed = await (await rpc()).confirmBooking.mutate(input);
      setBooking("booking", () => confirmed);
      router.push(`/bookings/${bookingId}`);
    },
    (error) => {
      const code = errorCode(error);
      if (code === "UNAUTHORIZED") router.push(signInUrl(`/checkout/${bookingId}`));
      // A final answer (declined, expired) closes this attempt; a lost connection keeps its key for the retry.
      if (code !== undefined && code !== "BAD_GATEWAY") attemptKey.current = null;
      if (code === "PRECONDITION_FAILED") void booking.refetch();
      // A declined card asks for another: the card field is marked and ready to retype.
      if (declaredError(error, "confirmBooking")?.reason === "CARD_DECLINED") {
        setLocalError("This card was declined. Enter another card.");
        tokenInput.current?.select();
      }
    },
  );

  const remaining = useRemaining(booking.data?.expiresAt ?? new Date(0));

  if (!booking.data) return <QueryNotice query={booking} what="your booking" />;
  const b = booking.data;
  const expired = b.status === "expired" || (b.status === "held" && remaining <= 0);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (confirm.isPending || checking.current) return;
    attemptKey.current ??= newIdempotencyKey();
    checking.current = true;
    const input = { bookingId, paymentToken, idempotencyKey: attemptKey.current };
    // Should the schema not load, the server checks the same schema and its answer shows instead.
    const schemas = await loadSchemas().catch(() => null);
    checking.current = false;
    const parsed = schemas?.confirmBookingInput.safeParse(input);
    if (parsed && !parsed.success) {
      setLocalError(firstFieldErrors(parsed.error.issues).paymentToken);
      return;
    }
    setLocalError(undefined);
    void confirm.run(parsed?.data ?? input);
  };

  const tokenError = localError ?? fieldErrors(confirm.error).paymentToken;
  const payError = confirm.error && errorCode(confirm.error) !== "BAD_REQUEST" ? describeError(confirm.error) : null;

  return (
    <div className="narrow">
      <div className="page-header">
        <div>
          <h1>Checkout</h1>
          <p>
            {b.event.name} · <EventTime at={b.event.startsAt} timeZone={b.event.timeZone} /> · {b.event.venueName},{" "}
            {b.event.city}
          </p>
        </div>
      </div>
      <QueryNotice query={booking} what="your booking" />

      {b.status === "held" && !expired && <Countdown remaining={remaining} />}
      {expired && (
        <div className="alert alert--warning" role="alert">
          <AlertIcon />
          <div className="alert__body">
            <p>
              <strong>Your hold expired</strong> and the seats went back on sale.{" "}
              <Link href={`/events/${b.event.id}`}>Pick seats again</Link>
            </p>
          </div>
        </div>
      )}
      {b.status === "cancelled" && (
        <div className="alert alert--info" role="status">
          <p>
            This booking was cancelled. <Link href={`/events/${b.event.id}`}>Back to the event</Link>
          </p>
        </div>
      )}

      <section className="card" aria-labelledby="order-heading">
        <h2 id="order-heading">Your order</h2>
        <ul className="line-items">
          {b.seats.map((seat) => (
            <li key={seat.seatId}>
              <span>
                {seat.section} · Row {seat.row} · Seat {seat.number}
              </span>
              <span>{formatMoney(seat.priceCents)}</span>
            </li>
          ))}
        </ul>
        <div className="total">
          <span>Total</span>
          <span data-testid="order-total">{formatMoney(b.totalCents)}</span>
        </div>

        {b.status === "held" && !expired && (
          <form noValidate onSubmit={submit} onFocus={warmUpForm}>
            {payError && (
              <div className="alert alert--error" role="alert" data-testid="payment-error">
                <AlertIcon />
                <p className="alert__body">{payError}</p>
              </div>
            )}
            <div className="field">
              <label htmlFor={tokenId}>Card token</label>
              <input
                id={tokenId}
                ref={tokenInput}
                className="input"
                name="paymentToken"
                autoComplete="off"
                spellCheck={false}
                value={paymentToken}
                aria-invalid={tokenError ? true : undefined}
                aria-describedby={`${tokenId}-hint${tokenError ? ` ${tokenId}-error` : ""}`}
                onChange={(event) => {
                  setPaymentToken(event.target.value);
                  setLocalError(undefined);
                }}
              />
              <span id={`${tokenId}-hint`} className="field__hint">
                Payments are simulated: every token is accepted except <code>tok_decline</code>.
              </span>
              <div className="token-chips">
                {testTokens.map((test) => (
                  <button
                    key={test.token}
                    type="button"
                    className="button button--secondary button--small"
                    onClick={() => {
                      setPaymentToken(test.token);
                      setLocalError(undefined);
                    }}
                  >
                    {test.label}
                  </button>
                ))}
              </div>
              {tokenError && (
                <p id={`${tokenId}-error`} className="field__error">
                  {tokenError}
                </p>
              )}
            </div>
            <button type="submit" className="button button--block" aria-disabled={confirm.isPending}>
              {confirm.isPending ? "Paying…" : `Pay ${formatMoney(b.totalCents)}`}
            </button>
          </form>
        )}
      </section>
    </div>
  );
}
