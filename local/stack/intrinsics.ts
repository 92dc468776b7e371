import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';

/** What a logical id stands for locally: its Ref value and its attributes (Arn, QueueUrl, ...). */
export type LocalResource = { ref: string; attributes: Record<string, string> };

export class UnresolvableIntrinsicError extends Error {
  override name = 'UnresolvableIntrinsicError';
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'NudgeLocal',
  'AWS::NoValue': '',
};

/**
 * Resolves the CloudFormation intrinsics CDK emits for wiring (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split) against the local resources. An unknown reference is an error, not a
 * silent empty string, so a new resource the runtime cannot emulate is noticed at startup.
 */
export function resolveIntrinsics(value: unknown, resources: ReadonlyMap<string, LocalResource>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resources));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref':
        return resolveRef(String(arg), resources);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        const resource = resources.get(id!);
        const resolved = resource?.attributes[attribute!];
        if (resolved === undefined) throw new UnresolvableIntrinsicError(`Fn::GetAtt ${id}.${attribute} has no local value`);
        return resolved;
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts, resources) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return (resolveIntrinsics(list, resources) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(resolveIntrinsics(source, resources)).split(separator);
      }
      case 'Fn::Sub':
        return resolveSub(arg, resources);
      default:
        break;
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, resources)]));
}

function resolveRef(id: string, resources: ReadonlyMap<string, LocalResource>): string {
  const pseudo = PSEUDO_PARAMETERS[id];
  if (pseudo !== undefined) return pseudo;
  const resource = resources.get(id);
  if (!resource) throw new UnresolvableIntrinsicError(`Ref ${id} has no local value`);
  return resource.ref;
}

function resolveSub(arg: unknown, resources: ReadonlyMap<string, LocalResource>): string {
  const [template, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
  return template.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    if (variables[name] !== undefined) return String(resolveIntrinsics(variables[name], resources));
    if (name.includes('.')) {
      const [id, attribute] = name.split('.');
      return String(resolveIntrinsics({ 'Fn::GetAtt': [id, attribute] }, resources));
    }
    return resolveRef(name, resources);
  });
}
