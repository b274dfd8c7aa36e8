import type { TestProject } from "vitest/node";
import { findChromium } from "./support/chromium";
import { startStack } from "./support/servers";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    apiUrl: string;
    chromiumPath: string;
  }
}

export default async function setup(project: TestProject) {
  const chromium = findChromium();
  if (chromium.path === null) throw new Error(`e2e: ${chromium.reason}`);
  const stack = await startStack();
  project.provide("webUrl", stack.webUrl);
  project.provide("apiUrl", stack.apiUrl);
  project.provide("chromiumPath", chromium.path);
  return () => stack.stop();
}
