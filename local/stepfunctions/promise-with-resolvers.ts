/**
 * aws-local-stepfunctions calls `Promise.withResolvers` (ES2024) for every Task state; Node 20 lacks
 * it, and every Task would fail with a TypeError. Installs the standard behaviour once, only where
 * the runtime does not have it.
 */
export function installPromiseWithResolvers(): void {
  const constructor = Promise as unknown as { withResolvers?: unknown };
  if (typeof constructor.withResolvers === 'function') return;
  constructor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    return { promise, resolve, reject };
  };
}
