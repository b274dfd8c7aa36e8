/**
 * Runs `task` once the page has loaded and the browser is idle (or `timeoutMs` after load);
 * returns a cancel. Work started here (the tRPC client's chunk, the stream) never competes
 * with first paint or hydration.
 */
export function whenIdle(task: () => void, timeoutMs: number): () => void {
  let cancelIdle = () => {};
  const schedule = () => {
    if (typeof requestIdleCallback === "function") {
      const id = requestIdleCallback(task, { timeout: timeoutMs });
      cancelIdle = () => cancelIdleCallback(id);
    } else {
      const timer = setTimeout(task, 0);
      cancelIdle = () => clearTimeout(timer);
    }
  };
  if (document.readyState === "complete") {
    schedule();
    return () => cancelIdle();
  }
  window.addEventListener("load", schedule, { once: true });
  return () => {
    window.removeEventListener("load", schedule);
    cancelIdle();
  };
}
