import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

export type RestMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The `{name}` placeholders of a path template, as a union of names. */
export type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

/** What a parser (zod 4, or any Standard Schema) accepts, by its declared input type. */
type InputOf<S> = S extends { "~standard": { types?: infer T } }
  ? NonNullable<T> extends { input: infer I }
    ? I
    : never
  : never;

type FieldOf<I> = Extract<I extends unknown ? keyof I : never, string>;

/**
 * Which input field each path placeholder fills. A placeholder named like an input field
 * fills that field and needs no entry; any other must be mapped to one (`{ id: "eventId" }`),
 * so the URL can keep a name partners already use while the input keeps its own.
 */
type ParamsOf<P extends string, I> = [Exclude<PathParamNames<P>, FieldOf<I>>] extends [never]
  ? { params?: { [N in PathParamNames<P>]?: FieldOf<I> } }
  : { params: { [N in PathParamNames<P>]: N extends FieldOf<I> ? FieldOf<I> | undefined : FieldOf<I> } };

/** A procedure's public REST route, as its metadata declares it (`.meta({ rest: restRoute(…) })`). */
export interface RestRouteSpec<P extends string = string> {
  method: RestMethod;
  /** Below the REST prefix the host mounts (`/events/{id}` under `/api/v1`). */
  path: P;
  /** A one-line summary of the operation (OpenAPI's `summary`). */
  summary?: string;
  /** What the success answer is (its response's description); "OK" when left out. */
  answers?: string;
  /** The success status: 200 unless said (201 for a route that creates). */
  status?: 200 | 201 | 202;
  /**
   * The route takes an `Idempotency-Key` header: a repeat with the same key and input answers
   * the first outcome, with this status (200: nothing was created this time), and the same
   * key with another input is refused (422).
   */
  replayStatus?: 200;
  /**
   * The failures this procedure answers beyond invalid input, by error code, each with when
   * (the host adds its own: authentication, rate limits, media type, body size). They are
   * documented under their HTTP statuses.
   */
  errors?: Partial<Record<TRPC_ERROR_CODE_KEY, string>>;
}

/** Marks a route that went through `restRoute`, whose path was checked against its input's type. */
const checked: unique symbol = Symbol.for("@ticketing/rpc/rest.checked");

export interface RestRoute extends RestRouteSpec {
  params?: Readonly<Record<string, string | undefined>>;
  /** The input schema the route was checked against; it must be the procedure's own. */
  readonly input: unknown;
  readonly [checked]: true;
}

/**
 * A procedure's REST route, typed against the input schema it fills: a path placeholder that
 * names no input field, and maps to none, does not compile. The schema is the procedure's own
 * `.input()` (the routes are checked against it again when the REST router is built).
 *
 * @example
 * getEvent: publicProcedure
 *   .input(eventIdInput)
 *   .meta({ rest: restRoute(eventIdInput, { method: "GET", path: "/events/{id}", params: { id: "eventId" } }) })
 */
export function restRoute<S, const P extends string>(
  input: S,
  spec: RestRouteSpec<P> & ParamsOf<P, InputOf<S>>,
): RestRoute {
  return { ...spec, input, [checked]: true };
}

/** Whether metadata's `rest` value is a route made by `restRoute`. */
export function isRestRoute(value: unknown): value is RestRoute {
  return typeof value === "object" && value !== null && (value as { [checked]?: unknown })[checked] === true;
}
