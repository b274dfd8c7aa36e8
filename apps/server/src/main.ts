import { run } from "./start";

// `npm run server`: production unless NODE_ENV says otherwise, so a forgotten variable
// never starts a public server on the development worker token.
run({ defaultNodeEnv: "production", seed: false, prettyLogs: false });
