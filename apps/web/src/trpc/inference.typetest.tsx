// Type tests: every type here is inferred from AppRouter. A component that calls a
// procedure with the wrong input does not compile; `tsc` (npm run typecheck) proves it.
import { useMutation, useQuery } from "@tanstack/react-query";
import { rpc } from "./browser";
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

// The same proofs for the browser's vanilla client (./browser.ts), which the buyer's pages use.
export async function WrongVanillaCalls() {
  const client = await rpc();
  // @ts-expect-error eventId is a string (a UUID), not a number
  await client.getEvent.query({ eventId: 42 });
  // @ts-expect-error getSeatMap needs an eventId
  await client.getSeatMap.query({});
  // @ts-expect-error there is no procedure by that name
  await client.getEvents.query({ eventId: "x" });
  // @ts-expect-error quantity is a number
  await client.createBooking.mutate({ eventId: "e", quantity: "2" });
  // @ts-expect-error confirmBooking takes a paymentToken, not a card number
  await client.confirmBooking.mutate({ bookingId: "b", cardNumber: "4242" });
  // @ts-expect-error a query is not a mutation
  await client.getEvent.mutate({ eventId: "e" });
}

export async function InferredVanillaOutputs(): Promise<number> {
  const client = await rpc();
  const event = await client.getEvent.query({ eventId: "e" });
  // superjson keeps Dates as Dates through the vanilla client as well.
  const startsAt: Date = event.startsAt;
  const map = await client.getSeatMap.query({ eventId: "e", section: "101" });
  const status: "available" | "held" | "sold" | undefined = map.seats[0]?.status;
  // @ts-expect-error a seat's price is a number of cents, not a string
  const wrong: string = map.seats[0]?.priceCents ?? 0;
  return startsAt.getTime() + (status ? 1 : 0) + wrong.length;
}
