import { run } from "./cli";

// `npm run worker`: production unless NODE_ENV says otherwise, so a forgotten variable
// never sends the development token.
run({ pretty: false, defaultNodeEnv: "production" });
