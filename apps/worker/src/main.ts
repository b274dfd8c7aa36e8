import { run } from "./cli";

run({ pretty: false });
