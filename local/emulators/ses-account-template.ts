import type { SesResourcesDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';
import type { SesAccount, SesEventDestination } from './ses-account.ts';

/**
 * The SES account as the synthesized stack sets it up, with names resolved to the local ones: the
 * stack's email identities (plus `extraIdentities`, the verified addresses configured for the local
 * sandbox), its configuration sets and their EventBridge destinations. One source of truth: nothing
 * here is written by hand.
 */
export function resolveSesAccount(resources: SesResourcesDef, provisioned: ReadonlyMap<string, LocalResource>, extraIdentities: readonly string[]): SesAccount {
  const configurationSets = new Map<string, SesEventDestination[]>();
  for (const logicalId of resources.configurationSets) configurationSets.set(String(resolveIntrinsics({ Ref: logicalId }, provisioned)), []);
  for (const destination of resources.eventDestinations) {
    const name = String(resolveIntrinsics(destination.configurationSetName, provisioned));
    configurationSets.set(name, [
      ...(configurationSets.get(name) ?? []),
      { enabled: destination.enabled, eventBusArn: String(resolveIntrinsics(destination.eventBusArn, provisioned)), matchingEventTypes: destination.matchingEventTypes },
    ]);
  }
  const identities = [...resources.identities.map((identity) => String(resolveIntrinsics(identity, provisioned))), ...extraIdentities];
  return { identities, configurationSets };
}
