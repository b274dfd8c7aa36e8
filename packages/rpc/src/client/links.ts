import {
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  type Operation,
  splitLink,
  type TRPCLink,
} from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import type { DataTransformerOptions } from "@trpc/server/unstable-core-do-not-import";
import { traceHeaders } from "../trace";
import { IDEMPOTENCY_KEY_HEADER, TIMEOUT_HEADER } from "../wire";
import { deadlineOf, idempotencyKeyOf, traceContextOf } from "./call-context";
import { deadlineLink } from "./deadline-link";
import { createFailover, type Failover } from "./failover-link";
import { statusAwareFetch } from "./failures";
import { idempotencyKeyLink } from "./idempotency-link";
import { type RetryOptions, retryLink } from "./retry-link";

type HeaderMap = Record<string, string>;

export interface RpcLinksOptions {
  /** One server's base URL, or several interchangeable ones to balance and fail over across. */
  servers: string | readonly string[];
  /** Where procedures live on each server. */
  endpoint?: string;
  /** The router's transformer (superjson here). */
  transformer: DataTransformerOptions;
  /** Headers of every request (credentials); the trace context is added. Called per request. */
  headers?: (op: Operation) => HeaderMap | Promise<HeaderMap>;
  /** Deadline of calls that set none of their own. */
  timeoutMs?: number;
  /** A deadline every call inherits when it is earlier (a request being served, a job). */
  inheritDeadline?: () => number | undefined;
  retry?: RetryOptions;
  /** Mutations sent without an idempotency key, so never repeated (see idempotencyKeyLink). */
  atMostOnce?: (op: Operation) => boolean;
  /** The server's cap on calls per batch. */
  maxBatchSize?: number;
  /** How often an ejected server's /ready is asked whether it is back. */
  probeIntervalMs?: number;
  fetch?: typeof fetch;
  /** For subscriptions where there is no global EventSource (Node before 22). */
  EventSource?: typeof EventSource;
  onServerChange?: (server: string, healthy: boolean) => void;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

function remainingHeader(deadline: number | undefined): HeaderMap {
  if (deadline === undefined) return {};
  return { [TIMEOUT_HEADER]: String(Math.max(1, Math.ceil(deadline - Date.now()))) };
}

/**
 * The links of a client that keeps packages/rpc's promises, in order: an idempotency key
 * per mutation, a deadline per call, retries with backoff, then balancing and failover over
 * the servers. Queries are batched, and the batch is streamed: each answer arrives as soon as
 * it is ready, not with the slowest. Mutations go one per request, because each carries its
 * own Idempotency-Key header, which a batch's shared headers could not. Subscriptions go
 * over server-sent events, untouched by deadlines and retries (they resume by themselves).
 */
export function rpcLinks<TRouter extends AnyTRPCRouter>(
  options: RpcLinksOptions,
): { links: TRPCLink<TRouter>[]; failover: Failover<TRouter> } {
  const endpoint = options.endpoint ?? "/trpc";
  const servers = typeof options.servers === "string" ? [options.servers] : options.servers;
  // Every request carries the W3C trace context of its call (given in the call's context,
  // else the active one), so the server's spans join the caller's trace.
  const extraHeaders = async (op: Operation): Promise<HeaderMap> => ({
    ...traceHeaders(traceContextOf(op)),
    ...(await options.headers?.(op)),
  });
  const callFetch = statusAwareFetch(options.fetch);
  // tRPC types `transformer` by whether the router has one, which a generic TRouter cannot
  // tell; the options are built for a router with one (the only kind this client serves).
  type BatchOptions = Parameters<typeof httpBatchStreamLink<TRouter>>[0];
  type SingleOptions = Parameters<typeof httpLink<TRouter>>[0];
  type SubscriptionOptions = Parameters<typeof httpSubscriptionLink<TRouter, typeof EventSource>>[0];

  const failover = createFailover<TRouter>({
    servers,
    probeIntervalMs: options.probeIntervalMs,
    fetch: options.fetch,
    onChange: options.onServerChange,
    link: (server) =>
      splitLink<TRouter>({
        // Subscriptions are server-sent events; the EventSource reconnects by itself.
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink<TRouter, typeof EventSource>({
          url: `${server}${endpoint}`,
          transformer: options.transformer,
          ...(options.EventSource && { EventSource: options.EventSource }),
        } as unknown as SubscriptionOptions),
        false: splitLink<TRouter>({
          condition: (op) => op.type === "mutation",
          true: httpLink<TRouter>({
            url: `${server}${endpoint}`,
            transformer: options.transformer,
            fetch: callFetch,
            async headers({ op }: { op: Operation }) {
              const key = idempotencyKeyOf(op);
              return {
                ...(await extraHeaders(op)),
                ...remainingHeader(deadlineOf(op)),
                ...(key !== undefined && { [IDEMPOTENCY_KEY_HEADER]: key }),
              };
            },
          } as unknown as SingleOptions),
          false: httpBatchStreamLink<TRouter>({
            url: `${server}${endpoint}`,
            transformer: options.transformer,
            fetch: callFetch,
            maxItems: options.maxBatchSize ?? 50,
            async headers({ opList }: { opList: [Operation, ...Operation[]] }) {
              // One header for the batch: the latest deadline among its calls, so the server
              // works as long as someone waits; each call still ends at its own deadline here.
              let latest: number | undefined;
              for (const op of opList) {
                const due = deadlineOf(op);
                if (due !== undefined && (latest === undefined || due > latest)) latest = due;
              }
              return { ...(await extraHeaders(opList[0])), ...remainingHeader(latest) };
            },
          } as unknown as BatchOptions),
        }),
      }),
  });

  return {
    links: [
      idempotencyKeyLink<TRouter>({ skip: options.atMostOnce }),
      deadlineLink<TRouter>({
        defaultTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        inheritDeadline: options.inheritDeadline,
      }),
      retryLink<TRouter>(options.retry),
      failover.link,
    ],
    failover,
  };
}
