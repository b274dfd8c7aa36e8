import type { AppRouter, RouterInputs, RouterOutputs } from "@ticketing/api";
import { createRpcClient, type RpcCallContext } from "@ticketing/rpc/client";
import type { inferRouterInputs } from "@trpc/server";
import superjson from "superjson";
import { describe, expectTypeOf, it } from "vitest";
import { clientFor } from "./support/client";

// Type tests: they prove at compile time (npm run typecheck) that a client of AppRouter sees
// each procedure's input and output types. Nothing here talks to a server.
const client = clientFor("http://127.0.0.1:9");

describe("a client of AppRouter", () => {
  it("sees query inputs and outputs, Dates as Dates", () => {
    expectTypeOf(client.getEvent.query).parameter(0).toEqualTypeOf<{ eventId: string }>();
    type Event = RouterOutputs["getEvent"];
    expectTypeOf<Event["startsAt"]>().toEqualTypeOf<Date>();
    expectTypeOf<Event["status"]>().toEqualTypeOf<"scheduled" | "on_sale" | "sold_out" | "cancelled">();
    expectTypeOf<Event["counts"]>().toEqualTypeOf<{ total: number; available: number; held: number; sold: number }>();
    expectTypeOf<RouterOutputs["listEvents"]["nextCursor"]>().toEqualTypeOf<string | null>();
    expectTypeOf<RouterOutputs["me"]>().toEqualTypeOf<{
      id: string;
      email: string;
      name: string;
      role: "customer" | "organizer" | "admin" | "service";
    } | null>();
  });

  it("sees mutation inputs, optional fields and defaults as optional", () => {
    expectTypeOf<RouterInputs["createBooking"]>().toEqualTypeOf<{
      eventId: string;
      seatIds?: string[] | undefined;
      quantity?: number | undefined;
      idempotencyKey?: string | undefined;
    }>();
    // Every field has a default, so the whole input may be left out: tRPC says so with void.
    // biome-ignore lint/suspicious/noConfusingVoidType: the type tRPC infers, stated by the test.
    type NoInput = void;
    expectTypeOf<RouterInputs["listEvents"]>().toEqualTypeOf<
      | NoInput
      | {
          query?: string | undefined;
          status?: "scheduled" | "on_sale" | "sold_out" | "cancelled" | undefined;
          cursor?: string | undefined;
          limit?: number | undefined;
        }
      | undefined
    >();
    expectTypeOf<RouterOutputs["createBooking"]["status"]>().toEqualTypeOf<
      "held" | "confirmed" | "expired" | "cancelled"
    >();
    expectTypeOf<RouterOutputs["checkPermission"]>().toEqualTypeOf<{ allowed: boolean; reason: string }>();
    expectTypeOf<inferRouterInputs<AppRouter>["checkPermission"]["action"]>().toEqualTypeOf<
      "read" | "book" | "cancel" | "manage"
    >();
  });

  it("refuses wrong calls at compile time", () => {
    // Each arrow is compiled, never called: the @ts-expect-error lines must be errors.
    const wrongCalls = [
      // @ts-expect-error eventId must be a string
      () => client.getEvent.query({ eventId: 42 }),
      // @ts-expect-error eventId is required
      () => client.getEvent.query({}),
      // @ts-expect-error quantity is a number
      () => client.createBooking.mutate({ eventId: "e", quantity: "2" }),
      // @ts-expect-error action is one of read | book | cancel | manage
      () => client.checkPermission.query({ userId: "u", resource: "admin", action: "delete" }),
      // @ts-expect-error createBooking is a mutation, not a query
      () => client.createBooking.query({ eventId: "e", quantity: 1 }),
      // @ts-expect-error no such procedure
      () => client.deleteEverything.mutate(),
    ];
    expectTypeOf(wrongCalls).toBeArray();
  });
});

describe("a client made by createRpcClient", () => {
  const api = createRpcClient<AppRouter>({ servers: ["http://127.0.0.1:9"], transformer: superjson });

  it("infers the same procedures, and takes per-call deadlines and keys in its context", () => {
    expectTypeOf(api.getEvent.query).parameter(0).toEqualTypeOf<{ eventId: string }>();
    expectTypeOf<Awaited<ReturnType<typeof api.createBooking.mutate>>["expiresAt"]>().toEqualTypeOf<Date>();
    const context: RpcCallContext = { timeoutMs: 500, idempotencyKey: false };
    expectTypeOf(api.getEvent.query).toBeCallableWith({ eventId: "x" }, { context });
    // @ts-expect-error the router has no such procedure
    expectTypeOf(api.noSuchProcedure).toBeObject();
  });
});
