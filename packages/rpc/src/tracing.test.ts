import { afterEach, describe, expect, it, vi } from "vitest";
import { startTracing, TracingConfigError, tracingRequested } from "./tracing";

describe("when tracing starts", () => {
  it("starts only when the standard variables name an endpoint, and never when the SDK is disabled", () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" })).toBe(
      false,
    );
  });
});

describe("startTracing", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("does nothing without an endpoint", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
    await expect(startTracing({ serviceName: "test" })).resolves.toBeUndefined();
  });

  it("refuses a protocol it cannot send, naming the variable, before registering anything", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317");
    vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    const started = startTracing({ serviceName: "test" });
    await expect(started).rejects.toThrow(TracingConfigError);
    await expect(started).rejects.toThrow(
      "OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf (the default) or http/json",
    );
  });

  it("reads the traces-specific protocol variable first", async () => {
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/thrift");
    await expect(startTracing({ serviceName: "test" })).rejects.toThrow(
      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/thrift",
    );
  });
});
