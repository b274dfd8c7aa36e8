import { createTRPCClient, type TRPCClient } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { type RpcLinksOptions, rpcLinks } from "./links";

export type RpcClientOptions = RpcLinksOptions;

export type RpcClient<TRouter extends AnyTRPCRouter> = TRPCClient<TRouter>;

/**
 * A vanilla tRPC client for programs (the worker, server components, scripts): deadlines,
 * safe retries, an idempotency key per mutation, balancing and failover over `servers`,
 * batched queries, and the W3C trace context of the active (or given) trace on every request.
 * Watch servers come and go with `onServerChange`; use `rpcLinks` to hold the failover itself.
 */
export function createRpcClient<TRouter extends AnyTRPCRouter>(options: RpcClientOptions): RpcClient<TRouter> {
  const { links } = rpcLinks<TRouter>(options);
  return createTRPCClient<TRouter>({ links });
}
