import { AccountError } from "../accounts";
import { DatabaseUrlError } from "../client";
import { DatabaseLockedError } from "../lock";

/** Runs a command; errors the operator can fix print as one line, anything else with its stack. */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof DatabaseLockedError || error instanceof DatabaseUrlError || error instanceof AccountError) {
      console.error(`error: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  });
}
