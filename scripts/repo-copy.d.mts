/** Copies the repository at `root` into a new temporary directory and links its installed packages. */
export function copyRepo(root: string, prefix?: string): { dir: string; remove: () => void };
/** Runs a command in `cwd` to its end, stdout and stderr together; killed after `timeoutMs` if given. */
export function runIn(
  cwd: string,
  command: string,
  args: string[],
  timeoutMs?: number,
): Promise<{ code: number | null; output: string }>;
