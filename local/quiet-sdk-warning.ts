/**
 * The AWS SDK warns once per process that its 2027 releases need Node 22. Lambda already runs
 * Node 22+ and the README says so; on every local command the notice is noise, so only that one
 * warning is dropped. Every other process warning is still printed.
 */
export function hideSdkNodeVersionNotice(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    // Older SDK releases put the type in the message; newer ones pass it as the warning's type.
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (String(warning).startsWith('NodeVersionSupportWarning') || type === 'NodeVersionSupportWarning') return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
