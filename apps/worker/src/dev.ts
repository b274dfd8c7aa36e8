import { run } from "./cli";

// Readable log lines for the person watching `npm run dev`.
run({ pretty: true, defaultNodeEnv: "development" });
