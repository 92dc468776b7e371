/**
 * The context the local runtime (and the benchmarks) synthesize the stack with. A deploy must name
 * its sender (synth fails otherwise); locally the SES emulator accepts any address, so the local
 * stack names a placeholder one here instead of weakening that check.
 */
export const LOCAL_STACK_CONTEXT: Readonly<Record<string, string>> = {
  senderEmail: 'nudge@example.com',
  // Tests and replays read reports right after their events: the rollups' mapping invokes at once
  // locally (docs/local-runtime.md). The pollers honour whatever window the template gives.
  rollupsBatchingWindowSeconds: '0',
};
