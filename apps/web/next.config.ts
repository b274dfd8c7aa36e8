import type { NextConfig } from "next";

const production = process.env.NODE_ENV === "production";

/**
 * Where a page may load from: only this origin. Next inlines its bootstrap scripts and
 * (with inlineCss) the stylesheet, hence 'unsafe-inline'; development adds what hot reload
 * needs (eval and a websocket). No site may frame the pages (clickjacking), and forms post
 * only here.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${production ? "" : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  `connect-src 'self'${production ? "" : " ws: wss:"}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  // For browsers that predate frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Workspace packages export TypeScript source; only @ticketing/api/schemas (pure zod) and
  // @ticketing/rpc/client (links) reach the browser.
  transpilePackages: ["@ticketing/api", "@ticketing/rpc"],
  // The OpenTelemetry SDK (instrumentation.ts) loads from node_modules as it is, like any
  // Node library, rather than through the server bundle.
  serverExternalPackages: [
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/exporter-trace-otlp-proto",
    "@opentelemetry/instrumentation",
    "@opentelemetry/resources",
    "@opentelemetry/sdk-trace-node",
  ],
  // The stylesheet is small (~4 kB gzip): inlined, it costs no render-blocking round trip before first paint.
  experimental: { inlineCss: true, turbopackInferModuleSideEffects: true },
  turbopack: {
    resolveAlias: {
      // Next adds polyfills (Array.prototype.at, Object.hasOwn, …) to every page for browsers
      // older than the ones it supports (Chrome/Edge/Firefox 111, Safari 16.4): dead weight
      // that Lighthouse reports as legacy JavaScript. docs/decisions/023-mobile-web.md
      "../build/polyfills/polyfill-module": { browser: "./src/lib/no-legacy-polyfills.ts" },
      "next/dist/build/polyfills/polyfill-module": { browser: "./src/lib/no-legacy-polyfills.ts" },
    },
  },
  headers: async () => [{ source: "/:path*", headers: securityHeaders }],
};

export default config;
