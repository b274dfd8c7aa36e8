import pg from "pg";
import type { DatabaseHandle } from "./client";

export interface ListenOptions {
  /** One channel, or several on the same connection. */
  channel: string | readonly string[];
  onNotification(payload: string, channel: string): void;
  /**
   * Called each time the listener is (again) listening. Notifications sent while it was not
   * are lost for good, so this is where a consumer catches up from the data itself.
   */
  onListening?(): void;
  /** The dedicated connection failed; it is being reopened. */
  onConnectionLost?(error: Error): void;
  /** Wait before the first reconnection attempt; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface NotificationListener {
  close(): Promise<void>;
}

/**
 * LISTENs on a channel of the handle's database. On PostgreSQL it holds one dedicated
 * connection outside the pool (a pooled one would be handed to queries and lose its LISTEN)
 * and reopens it when it drops, with backoff. On PGlite it uses PGlite's own listen, which
 * hears NOTIFYs of the same (only) process.
 */
export async function listen(handle: DatabaseHandle, options: ListenOptions): Promise<NotificationListener> {
  const channels = typeof options.channel === "string" ? [options.channel] : [...options.channel];
  const quote = (channel: string) => `"${channel.replace(/"/g, '""')}"`;
  if (handle.kind === "pglite") {
    const unlisten = await Promise.all(
      channels.map((channel) =>
        handle.client.listen(quote(channel), (payload) => options.onNotification(payload, channel)),
      ),
    );
    options.onListening?.();
    return {
      close: async () => {
        await Promise.all(unlisten.map((stop) => stop()));
      },
    };
  }

  const baseDelay = options.retryDelayMs ?? 100;
  const maxDelay = options.maxRetryDelayMs ?? 5_000;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let started = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...handle.pool.options, application_name: "ticketing-listen" });
    let lost = false;
    const onLost = (error: Error) => {
      if (lost) return;
      lost = true;
      next.removeAllListeners("notification");
      next.end().catch(() => {});
      if (client === next) client = undefined;
      // A first connection that fails is the caller's to handle (listen() rejects).
      if (closed || !started) return;
      options.onConnectionLost?.(error);
      const delay = Math.min(maxDelay, baseDelay * 2 ** failures);
      failures++;
      retry = setTimeout(() => void connect().catch(() => {}), delay);
      retry.unref?.();
    };
    next.on("error", onLost);
    next.on("end", () => onLost(new Error("The LISTEN connection ended.")));
    next.on("notification", (message) => {
      if (channels.includes(message.channel)) options.onNotification(message.payload ?? "", message.channel);
    });
    try {
      await next.connect();
      for (const channel of channels) await next.query(`LISTEN ${quote(channel)}`);
    } catch (error) {
      onLost(error as Error);
      throw error;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    started = true;
    failures = 0;
    options.onListening?.();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
