// @ticketing/rpc/otlp-receiver: a collector stand-in for tests (below). Like the package it
// knows nothing of tickets (no @ticketing/* import); only tests and the bench import it.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import protobuf from "protobufjs";

/**
 * A test stand-in for an OpenTelemetry collector: an OTLP/HTTP endpoint on a loopback port
 * that accepts what the real exporters send to `/v1/traces`, in OTLP/JSON or in protobuf,
 * and keeps the spans decoded. Protobuf is decoded by protobufjs from a reflection of the
 * OTLP trace messages (the field numbers of opentelemetry-proto's trace, resource, common
 * and collector definitions; fields the tests do not read are left out, and skipped on
 * decoding like any unknown field).
 */

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code: number; message: string };
  scope: string;
  resource: Record<string, unknown>;
  /** How the exporter sent it. */
  encoding: "json" | "protobuf";
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

const keyValues = "opentelemetry.proto.common.v1.KeyValue";
const root = protobuf.Root.fromJSON({
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: {
                        value: {
                          oneof: [
                            "stringValue",
                            "boolValue",
                            "intValue",
                            "doubleValue",
                            "arrayValue",
                            "kvlistValue",
                            "bytesValue",
                          ],
                        },
                      },
                      fields: {
                        stringValue: { type: "string", id: 1 },
                        boolValue: { type: "bool", id: 2 },
                        intValue: { type: "int64", id: 3 },
                        doubleValue: { type: "double", id: 4 },
                        arrayValue: { type: "ArrayValue", id: 5 },
                        kvlistValue: { type: "KeyValueList", id: 6 },
                        bytesValue: { type: "bytes", id: 7 },
                      },
                    },
                    ArrayValue: { fields: { values: { rule: "repeated", type: "AnyValue", id: 1 } } },
                    KeyValueList: { fields: { values: { rule: "repeated", type: "KeyValue", id: 1 } } },
                    KeyValue: { fields: { key: { type: "string", id: 1 }, value: { type: "AnyValue", id: 2 } } },
                    InstrumentationScope: {
                      fields: { name: { type: "string", id: 1 }, version: { type: "string", id: 2 } },
                    },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: { fields: { attributes: { rule: "repeated", type: keyValues, id: 1 } } },
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: { type: "opentelemetry.proto.resource.v1.Resource", id: 1 },
                        scopeSpans: { rule: "repeated", type: "ScopeSpans", id: 2 },
                      },
                    },
                    ScopeSpans: {
                      fields: {
                        scope: { type: "opentelemetry.proto.common.v1.InstrumentationScope", id: 1 },
                        spans: { rule: "repeated", type: "Span", id: 2 },
                      },
                    },
                    Span: {
                      fields: {
                        traceId: { type: "bytes", id: 1 },
                        spanId: { type: "bytes", id: 2 },
                        parentSpanId: { type: "bytes", id: 4 },
                        name: { type: "string", id: 5 },
                        kind: { type: "int32", id: 6 },
                        attributes: { rule: "repeated", type: keyValues, id: 9 },
                        events: { rule: "repeated", type: "Event", id: 11 },
                        status: { type: "Status", id: 15 },
                      },
                      nested: {
                        Event: {
                          fields: {
                            name: { type: "string", id: 2 },
                            attributes: { rule: "repeated", type: keyValues, id: 3 },
                          },
                        },
                      },
                    },
                    Status: { fields: { message: { type: "string", id: 2 }, code: { type: "int32", id: 3 } } },
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: {
                            resourceSpans: {
                              rule: "repeated",
                              type: "opentelemetry.proto.trace.v1.ResourceSpans",
                              id: 1,
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});
const ExportTraceServiceRequest = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");

// The request as OTLP/JSON spells it, and as protobufjs's toObject gives it (ids as hex
// strings after the conversion below, int64 as strings): the same shape either way.
type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
};
type KeyValue = { key: string; value?: AnyValue };
type WireSpan = {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  attributes?: KeyValue[];
  events?: { name?: string; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
};
type WireRequest = {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: WireSpan[] }[];
  }[];
};

function plainValue(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return value.bytesValue;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = plainValue(value);
  return out;
}

function spansOf(request: WireRequest, encoding: ReceivedSpan["encoding"]): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: span.traceId ?? "",
          spanId: span.spanId ?? "",
          parentSpanId: span.parentSpanId ?? "",
          name: span.name ?? "",
          kind: span.kind ?? 0,
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: event.name ?? "",
            attributes: attributesOf(event.attributes),
          })),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
          scope: scopeSpans.scope?.name ?? "",
          resource,
          encoding,
        });
      }
    }
  }
  return spans;
}

function decodeProtobuf(body: Buffer): WireRequest {
  const message = ExportTraceServiceRequest.decode(body);
  // Ids are bytes on the wire; as hex they compare with OTLP/JSON's and W3C traceparent's.
  const hex = (bytes: unknown) => (bytes instanceof Uint8Array ? Buffer.from(bytes).toString("hex") : "");
  const object = ExportTraceServiceRequest.toObject(message, { longs: String, defaults: false, arrays: true });
  for (const resourceSpans of object.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        span.traceId = hex(span.traceId);
        span.spanId = hex(span.spanId);
        span.parentSpanId = hex(span.parentSpanId);
      }
    }
  }
  return object as WireRequest;
}

/** The media types OTLP/HTTP exports are sent as. */
export type OtlpEncoding = ReceivedSpan["encoding"];

/** An export's encoding from its `content-type`; undefined for anything OTLP/HTTP does not send. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? "").split(";")[0]?.trim();
  return type === "application/json" ? "json" : type === "application/x-protobuf" ? "protobuf" : undefined;
}

/** The spans of one export request's body (ExportTraceServiceRequest), as OTLP/JSON or protobuf. */
export function decodeTraceExport(body: Buffer, encoding: OtlpEncoding): ReceivedSpan[] {
  return encoding === "json"
    ? spansOf(JSON.parse(body.toString("utf8")) as WireRequest, "json")
    : spansOf(decodeProtobuf(body), "protobuf");
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Export requests received, by encoding. */
  requests: { json: number; protobuf: number };
  /** Resolves with the spans once `done` holds for them; rejects after `timeoutMs`. */
  waitFor(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests = { json: 0, protobuf: 0 };
  const server = createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/traces") {
      res.writeHead(404).end();
      return;
    }
    const body = await bodyOf(req);
    const encoding = encodingOf(req.headers["content-type"]);
    if (encoding === undefined) {
      res.writeHead(415).end();
      return;
    }
    try {
      spans.push(...decodeTraceExport(body, encoding));
      requests[encoding]++;
      // An empty ExportTraceServiceResponse (full success), in the request's encoding.
      if (encoding === "json") res.writeHead(200, { "content-type": "application/json" }).end("{}");
      else res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain" }).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    async waitFor(done, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!done(spans)) {
        if (Date.now() > until) {
          const names = spans.map((span) => `${span.resource["service.name"]}:${span.name}`).join(", ");
          throw new Error(`The spans expected did not arrive within ${timeoutMs} ms; received: ${names || "none"}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return spans;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The spans of one trace as a tree: each span's children, by parent span id. */
export function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
  return spans.filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId);
}

/** A span's ancestors, nearest first, as far as the received spans go. */
export function ancestorsOf(spans: readonly ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  let current = span;
  for (;;) {
    const parent = spans.find((s) => s.traceId === current.traceId && s.spanId === current.parentSpanId);
    if (!parent || chain.includes(parent)) return chain;
    chain.push(parent);
    current = parent;
  }
}
