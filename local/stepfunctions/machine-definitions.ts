import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { StateMachineDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';

/** arn:aws:states:<region>:<account>:stateMachine:<name> */
export function stateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}

/** arn:aws:states:<region>:<account>:execution:<machine name>:<execution name> */
export function executionArn(machineName: string, executionName: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machineName}:${executionName}`;
}

/** The local name of a state machine: its StateMachineName, else its logical id (CloudFormation would generate one). */
export function machineName(machine: StateMachineDef): string {
  return machine.name ?? machine.logicalId;
}

/**
 * Makes every state machine resolve as in CloudFormation (`Ref` is its ARN; attributes Arn and Name).
 * Runs before the functions' environments are resolved: they name the machine (STATE_MACHINE_ARN).
 */
export function registerStateMachines(machines: StateMachineDef[], resources: Map<string, LocalResource>): void {
  for (const machine of machines) {
    const arn = stateMachineArn(machineName(machine));
    resources.set(machine.logicalId, { ref: arn, attributes: { Arn: arn, Name: machineName(machine) } });
  }
}

/**
 * The machine's Amazon States Language definition as deployed: DefinitionString (or Definition)
 * with its intrinsics resolved to the local resources (function ARNs, partition) and its
 * DefinitionSubstitutions applied, parsed.
 */
export function loadDefinition(machine: StateMachineDef, resources: ReadonlyMap<string, LocalResource>): Record<string, unknown> {
  if (machine.definitionS3Location !== undefined) {
    throw new Error(`state machine ${machine.logicalId}: a definition in S3 (DefinitionS3Location) cannot be read locally`);
  }
  let text: string;
  if (machine.definitionString !== undefined) text = String(resolveIntrinsics(machine.definitionString, resources));
  else if (machine.definition !== undefined) text = JSON.stringify(resolveIntrinsics(machine.definition, resources));
  else throw new Error(`state machine ${machine.logicalId} has neither DefinitionString nor Definition`);
  for (const [key, value] of Object.entries(machine.definitionSubstitutions)) {
    text = text.split(`\${${key}}`).join(String(resolveIntrinsics(value, resources)));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`state machine ${machine.logicalId}: its definition is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`state machine ${machine.logicalId}: its definition is not a JSON object`);
  return parsed as Record<string, unknown>;
}
