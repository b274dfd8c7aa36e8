import { run } from "./start";

run({ seed: false, prettyLogs: false });
