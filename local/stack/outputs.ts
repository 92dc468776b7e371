/** Stack outputs are the contract between the stack and its tools (local runtime, CLI, tests). */
export function requireOutput(outputs: Record<string, string>, name: string): string {
  const value = outputs[name];
  if (value === undefined) {
    throw new Error(`the stack has no output ${name} (outputs: ${Object.keys(outputs).sort().join(', ') || 'none'})`);
  }
  return value;
}
