/** Copies the repository at `root` into a new temporary directory and links its installed packages. */
export function copyRepo(root: string, prefix?: string): { dir: string; remove: () => void };
export function hasInstall(root: string): boolean;
