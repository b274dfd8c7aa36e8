import { run } from "./start";

// The demo comes alive on first start: the development server seeds the embedded database.
run({ defaultNodeEnv: "development", seed: true, prettyLogs: true });
