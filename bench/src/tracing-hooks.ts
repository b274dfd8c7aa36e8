// What tracing costs a call when no SDK runs (OTEL endpoint unset): the call's server span
// started on the API's no-op tracer, the context that carries it, running the call inside
// that context, and ending the span — packages/rpc's own functions, as every call runs
// them — against the same loop without them. The clock reads and counters of the call's
// metrics and log line are not tracing and are left out of both.
//   node --import tsx bench/src/tracing-hooks.ts   prints one JSON line {"nsPerCall":n}
import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import { endCallSpan, startCallSpan } from "@ticketing/rpc/server";

const CALLS = 300_000;
const work = async () => 1;

async function withHooks(): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const call = startCallSpan(ROOT_CONTEXT, "getEvent", "query");
    await context.with(call.traceContext, work);
    endCallSpan(call.span, undefined, 200);
  }
  return performance.now() - started;
}

async function without(): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await work();
  return performance.now() - started;
}

const rounds: { hooks: number[]; plain: number[] } = { hooks: [], plain: [] };
for (let round = 0; round < 8; round++) {
  if (round % 2 === 0) rounds.hooks.push(await withHooks());
  else rounds.plain.push(await without());
}
const best = (list: number[]) => Math.min(...list);
const nsPerCall = ((best(rounds.hooks) - best(rounds.plain)) * 1e6) / CALLS;
console.log(JSON.stringify({ nsPerCall: Math.max(0, Math.round(nsPerCall)) }));
