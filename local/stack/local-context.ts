/**
 * The context the local runtime (and the benchmarks) synthesize the stack with. A deploy must name
 * its sender (synth fails otherwise); locally the SES emulator accepts any address, so the local
 * stack names a placeholder one here instead of weakening that check.
 */
export const LOCAL_STACK_CONTEXT: Readonly<Record<string, string>> = { senderEmail: 'nudge@example.com' };
