/**
 * The AWS SDK warns once per process that its 2027 releases need Node 22. Lambda already runs
 * Node 22+ and the README says so; on every local command the notice is noise, so only that one
 * warning is dropped. Every other process warning is still printed.
 */
export function hideSdkNodeVersionNotice(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    if (String(warning).startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
