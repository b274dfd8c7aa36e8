"use client";

import { describeError } from "@/lib/errors";
import { formatClock } from "@/lib/format";
import { AlertIcon, RefreshIcon } from "./icons";

/**
 * What a query's failure means to the reader: with data in hand, the data stays and is
 * marked stale; without any, an error takes its place. Both offer a retry.
 */
interface QueryLike {
  isError: boolean;
  isFetching: boolean;
  data: unknown;
  error: unknown;
  dataUpdatedAt: number;
  refetch(): unknown;
}

export function QueryNotice({ query, what }: { query: QueryLike; what: string }) {
  if (!query.isError) return null;
  const retry = (
    <button
      type="button"
      className="button button--secondary button--small"
      onClick={() => query.refetch()}
      disabled={query.isFetching}
    >
      <RefreshIcon /> {query.isFetching ? "Retrying…" : "Retry"}
    </button>
  );
  if (query.data !== undefined) {
    return (
      <div className="alert alert--warning" role="status" data-testid="stale-notice">
        <AlertIcon />
        <div className="alert__body">
          <p>
            <strong>Showing saved {what}</strong> from {formatClock(new Date(query.dataUpdatedAt))}; it may be out of
            date. {describeError(query.error)}
          </p>
        </div>
        {retry}
      </div>
    );
  }
  return (
    <div className="alert alert--error" role="alert">
      <AlertIcon />
      <div className="alert__body">
        <p>
          <strong>Could not load {what}.</strong> {describeError(query.error)}
        </p>
      </div>
      {retry}
    </div>
  );
}
