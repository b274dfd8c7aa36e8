// Type tests: every type here is inferred from AppRouter. A component that calls a
// procedure with the wrong input does not compile; `tsc` (npm run typecheck) proves it.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "./client";

export function WrongInputs() {
  const trpc = useTRPC();
  // @ts-expect-error eventId is a string (a UUID), not a number
  useQuery(trpc.getEvent.queryOptions({ eventId: 42 }));
  // @ts-expect-error getSeatMap needs an eventId
  useQuery(trpc.getSeatMap.queryOptions({}));
  // @ts-expect-error there is no procedure by that name
  useQuery(trpc.getEvents.queryOptions({ eventId: "x" }));
  const book = useMutation(trpc.createBooking.mutationOptions());
  // @ts-expect-error quantity is a number
  book.mutate({ eventId: "e", quantity: "2" });
  // @ts-expect-error confirmBooking takes a paymentToken, not a card number
  useMutation(trpc.confirmBooking.mutationOptions()).mutate({ bookingId: "b", cardNumber: "4242" });
  return null;
}

export function InferredOutputs() {
  const trpc = useTRPC();
  const event = useQuery(trpc.getEvent.queryOptions({ eventId: "e" }));
  if (event.data) {
    // superjson keeps Dates as Dates; strict mode keeps this inference intact.
    const startsAt: Date = event.data.startsAt;
    const cents: number = event.data.tiers[0]?.priceCents ?? 0;
    // @ts-expect-error a tier's price is a number of cents, not a string
    const wrong: string = event.data.tiers[0]?.priceCents ?? 0;
    return startsAt.getTime() + cents + wrong.length;
  }
  return null;
}
