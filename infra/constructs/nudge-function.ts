import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOCK_FILE, PROJECT_ROOT } from '../project-paths.ts';

/** CloudFormation metadata key naming the repo-relative handler module of a function (read by the local runtime). */
export const ENTRY_METADATA_KEY = 'nudge:entry';

/**
 * The newest Node.js runtime aws-cdk-lib knows. cdk-nag's AwsSolutions-L1 demands the latest runtime
 * of the family as aws-cdk-lib lists it, so this is also the only choice that passes without an
 * acknowledgement. The esbuild target follows from it.
 */
export const NUDGE_RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = NUDGE_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/**
 * One service name for every function: the local runtime runs all handlers in one process with one
 * merged environment and refuses two functions that set a variable differently. Each handler names
 * its own Powertools Logger service in code (`nudge-ingest`, `nudge-dispatcher`), which wins over this.
 */
export const POWERTOOLS_SERVICE_NAME = 'nudge';

/**
 * ESM bundles still meet CommonJS dependencies that call `require` (some AWS SDK and Powertools
 * internals); this gives them one. Aliased so it cannot clash with an import in the bundle.
 */
const ESM_REQUIRE_BANNER = "import { createRequire as __nudgeCreateRequire } from 'node:module'; const require = __nudgeCreateRequire(import.meta.url);";

export type NudgeFunctionProps = {
  /** The handler module, relative to the repository root, e.g. `functions/ingest/ingest-event.ts`. It exports `handler`. */
  entry: string;
  description: string;
  /** Lambda timeout; also the basis for the visibility timeout of any queue the function consumes. */
  timeout: Duration;
  logRetention: logs.RetentionDays;
  /** MB of memory, and with it CPU share (default {@link DEFAULT_MEMORY_MB}). */
  memorySize?: number;
  environment?: Record<string, string>;
  /**
   * Actions besides X-Ray's that this function's grants put on "*" because they have no resource-level
   * permissions (e.g. dynamodb:ListStreams for a stream event source), with why it needs them.
   */
  wildcardActions?: { actions: string[]; why: string };
  /** Concurrency reserved for (and capping) this function; unset or 0: none. */
  reservedConcurrency?: number;
};

/** Memory of every function that does not ask for more (see the class comment). */
export const DEFAULT_MEMORY_MB = 256;

/**
 * Every Nudge Lambda, with the defaults fixed in one place so that no function can drift:
 *
 * - **arm64** (Graviton): about 20 % cheaper per GB-second and at least as fast for Node.js.
 * - **Node.js 24** ({@link NUDGE_RUNTIME}), bundled by esbuild as **ESM** for that target, minified,
 *   with the source map in a separate `index.mjs.map` beside it that Node does not read unless asked:
 *   `--enable-source-maps` parses the whole map (3-5 MB) at every cold start, so it is not set; add
 *   `NODE_OPTIONS=--enable-source-maps` to a function's environment to get stack traces that point at
 *   the TypeScript while debugging it.
 *   The AWS SDK is bundled, not taken from the runtime: the handlers run with the exact SDK versions
 *   package-lock.json pins and the tests ran against, and tree-shaking keeps the bundle small.
 * - **X-Ray tracing** active (the stack turns the per-event and per-email functions to PassThrough: see `hotPathTracing`), **JSON logs** (Powertools writes JSON; Lambda's own lines match) into an
 *   **explicit log group with retention**, so logs neither live forever nor need a LogRetention
 *   custom resource.
 * - Its **own role with inline, resource-scoped statements only**: log writes to its own log group,
 *   plus whatever the capability constructs grant. No AWS managed policies (those grant
 *   `logs:CreateLogGroup` and writes to every log group in the account).
 * - 256 MB by default: SDK clients and zod parse comfortably; Lambda CPU scales with memory, so less
 *   makes cold starts slower for no real saving. A function that does bulk work (the sweep) asks for more.
 * - The `nudge:entry` metadata on the function resource: the single source of truth the local runtime
 *   uses to run the same module for this function.
 */
export class NudgeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NudgeFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      runtime: NUDGE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      role: this.role,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // The stack sets the deployed level from `-c logLevel` (WARN by default; see NudgeStack).
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      environment: {
        POWERTOOLS_SERVICE_NAME,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        target: ESBUILD_TARGET,
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        externalModules: [],
      },
    });

    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA_KEY, props.entry);

    // Tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role's default policy.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (defaultPolicy) {
      const extra = props.wildcardActions;
      Validations.of(defaultPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: extra
          ? `Only X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) and ${extra.actions.join(', ')} use "*": none supports resource-level permissions; ${extra.why}. Every other statement is scoped to one resource (a test asserts this).`
          : 'Only the X-Ray statement uses "*": xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions. Every other statement is scoped to one resource (a test asserts this).',
      });
    }
  }

  /**
   * Sets the Lambda log levels (advanced logging controls filter before CloudWatch Logs bills):
   * the application level as given, and the platform's START/END/REPORT lines at the nearest level
   * Lambda offers for them (no ERROR: WARN).
   */
  setLogLevel(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'): void {
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    cfn.addPropertyOverride('LoggingConfig.ApplicationLogLevel', level);
    cfn.addPropertyOverride('LoggingConfig.SystemLogLevel', level === 'ERROR' ? 'WARN' : level);
  }

  /** X-Ray mode: Active (Lambda samples at its fixed 1/s + 5%) or PassThrough (traced when the caller's header is sampled). */
  setTracing(mode: 'Active' | 'PassThrough'): void {
    (this.function.node.defaultChild as lambda.CfnFunction).addPropertyOverride('TracingConfig.Mode', mode);
  }

  /** Sets a variable in the function's environment (used by the grant helpers together with the IAM grant). */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
