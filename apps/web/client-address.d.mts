import type { IncomingMessage } from "node:http";

export function parseTrustedProxies(value: string | undefined): (address: string, hop: number) => boolean;
export function stampClientAddress(req: IncomingMessage, trust: (address: string, hop: number) => boolean): void;
