/**
 * Read-only views over the synthesized CloudFormation template: the local runtime builds tables,
 * queues, routes, event source mappings and function environments from these, never from a
 * second hand-written description of the stack.
 */
export type CfnTemplate = { Resources?: Record<string, CfnResource>; Outputs?: Record<string, unknown> };
export type CfnResource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> };

export type FunctionDef = {
  logicalId: string;
  entry: string;
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  /** ReservedConcurrentExecutions: at most this many invocations at once (unset: the account's pool). */
  reservedConcurrency: number | undefined;
};
export type TableDef = { logicalId: string; properties: Record<string, any>; ttlAttribute?: string };
export type QueueDef = { logicalId: string; properties: Record<string, any> };
export type RuleTargetDef = { id: string; arn: unknown; retryPolicy?: Record<string, any>; deadLetterArn?: unknown; input?: unknown };
export type RuleDef = { logicalId: string; eventBusName: unknown; eventPattern: unknown; enabled: boolean; targets: RuleTargetDef[]; scheduleExpression?: string };
export type EventSourceMappingDef = {
  logicalId: string;
  functionName: unknown;
  eventSourceArn: unknown;
  batchSize: number;
  reportBatchItemFailures: boolean;
  maximumBatchingWindowInSeconds: number;
  /** ScalingConfig.MaximumConcurrency: how many invocations the mapping may run at once (unset: Lambda's own scaling). */
  maximumConcurrency: number | undefined;
  enabled: boolean;
  /** Stream sources only (DynamoDB Streams, Kinesis), where StartingPosition is required; unset for SQS. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | undefined;
  /** FilterCriteria.Filters[].Pattern as the template has them: JSON strings in Lambda's filter syntax (intrinsics unresolved). */
  filterPatterns: unknown[];
  /** Streams: on a function error, split the batch in two before retrying (splits do not use up retries). */
  bisectBatchOnFunctionError: boolean;
  /** Streams: retries of a failing batch before it is skipped; -1 (Lambda's default) retries until the record expires. */
  maximumRetryAttempts: number;
  /** Streams: DestinationConfig.OnFailure.Destination (unresolved), which receives the metadata of skipped batches. */
  onFailureDestination?: unknown;
};
export type AsyncInvokeConfigDef = { functionName: unknown; maximumRetryAttempts: number; onFailureDestination?: unknown };
export type EventBusDef = { logicalId: string; name: string };
/** The stack's SES resources, intrinsics unresolved. */
export type SesResourcesDef = {
  identities: unknown[];
  configurationSets: string[];
  eventDestinations: Array<{ configurationSetName: unknown; enabled: boolean; eventBusArn: unknown; matchingEventTypes: string[] }>;
};
/** An AWS::StepFunctions::StateMachine, with its definition as the template has it (intrinsics unresolved). */
export type StateMachineDef = {
  logicalId: string;
  /** StateMachineName when the template sets one (CloudFormation generates one otherwise). */
  name: string | undefined;
  /** DefinitionString (a string, or intrinsics that make one), or Definition (an object); CDK emits the former. */
  definitionString: unknown;
  definition: unknown;
  definitionSubstitutions: Record<string, unknown>;
  /** Set when the definition lives in S3, which the local runtime does not read. */
  definitionS3Location: unknown;
};

export const ENTRY_METADATA_KEY = 'nudge:entry';

export class StackTemplate {
  constructor(readonly template: CfnTemplate) {}

  private resourcesOf(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
  }

  resource(logicalId: string): CfnResource | undefined {
    return this.template.Resources?.[logicalId];
  }

  functions(): FunctionDef[] {
    return this.resourcesOf('AWS::Lambda::Function').flatMap(([logicalId, resource]) => {
      const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
      // Functions without the metadata are CDK-internal helpers (e.g. custom resources): not ours to run.
      if (typeof entry !== 'string') return [];
      const properties = resource.Properties ?? {};
      return [
        {
          logicalId,
          entry,
          environment: (properties.Environment?.Variables ?? {}) as Record<string, unknown>,
          timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
          reservedConcurrency: typeof properties.ReservedConcurrentExecutions === 'number' ? properties.ReservedConcurrentExecutions : undefined,
        },
      ];
    });
  }

  tables(): TableDef[] {
    return this.resourcesOf('AWS::DynamoDB::Table').map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const ttl = properties.TimeToLiveSpecification;
      return { logicalId, properties, ...(ttl?.Enabled ? { ttlAttribute: ttl.AttributeName as string } : {}) };
    });
  }

  queues(): QueueDef[] {
    return this.resourcesOf('AWS::SQS::Queue').map(([logicalId, resource]) => ({ logicalId, properties: resource.Properties ?? {} }));
  }

  /**
   * The SES account the stack sets up: its email identities, its configuration sets (logical ids,
   * whose names the provisioning resolves) and each set's EventBridge event destinations.
   */
  sesResources(): SesResourcesDef {
    return {
      identities: this.resourcesOf('AWS::SES::EmailIdentity').map(([, resource]) => resource.Properties?.EmailIdentity),
      configurationSets: this.resourcesOf('AWS::SES::ConfigurationSet').map(([logicalId]) => logicalId),
      eventDestinations: this.resourcesOf('AWS::SES::ConfigurationSetEventDestination').flatMap(([, resource]) => {
        const destination = resource.Properties?.EventDestination ?? {};
        if (!destination.EventBridgeDestination) return [];
        return [
          {
            configurationSetName: resource.Properties?.ConfigurationSetName,
            enabled: destination.Enabled === true,
            eventBusArn: destination.EventBridgeDestination.EventBusArn,
            matchingEventTypes: ((destination.MatchingEventTypes ?? []) as unknown[]).map(String),
          },
        ];
      }),
    };
  }

  eventBuses(): EventBusDef[] {
    return this.resourcesOf('AWS::Events::EventBus').map(([logicalId, resource]) => ({
      logicalId,
      name: String(resource.Properties?.Name ?? logicalId),
    }));
  }

  rules(): RuleDef[] {
    return this.resourcesOf('AWS::Events::Rule').map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      return {
        logicalId,
        eventBusName: properties.EventBusName ?? 'default',
        eventPattern: properties.EventPattern,
        enabled: (properties.State ?? 'ENABLED') === 'ENABLED',
        ...(properties.ScheduleExpression ? { scheduleExpression: String(properties.ScheduleExpression) } : {}),
        targets: ((properties.Targets ?? []) as Array<Record<string, any>>).map((target) => ({
          id: String(target.Id),
          arn: target.Arn,
          ...(target.RetryPolicy ? { retryPolicy: target.RetryPolicy } : {}),
          ...(target.DeadLetterConfig?.Arn ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
          ...(target.Input !== undefined ? { input: target.Input } : {}),
        })),
      };
    });
  }

  eventSourceMappings(): EventSourceMappingDef[] {
    return this.resourcesOf('AWS::Lambda::EventSourceMapping').map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const startingPosition = properties.StartingPosition as EventSourceMappingDef['startingPosition'];
      const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
      return {
        logicalId,
        functionName: properties.FunctionName,
        eventSourceArn: properties.EventSourceArn,
        // Lambda's default batch size is 10 for SQS and 100 for streams (the sources with a StartingPosition).
        batchSize: typeof properties.BatchSize === 'number' ? properties.BatchSize : startingPosition ? 100 : 10,
        reportBatchItemFailures: ((properties.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
        maximumBatchingWindowInSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
        maximumConcurrency: typeof properties.ScalingConfig?.MaximumConcurrency === 'number' ? properties.ScalingConfig.MaximumConcurrency : undefined,
        enabled: properties.Enabled !== false,
        startingPosition,
        filterPatterns: ((properties.FilterCriteria?.Filters ?? []) as Array<{ Pattern?: unknown }>).flatMap((filter) =>
          filter.Pattern === undefined ? [] : [filter.Pattern],
        ),
        bisectBatchOnFunctionError: properties.BisectBatchOnFunctionError === true,
        maximumRetryAttempts: typeof properties.MaximumRetryAttempts === 'number' ? properties.MaximumRetryAttempts : -1,
        ...(onFailure ? { onFailureDestination: onFailure } : {}),
      };
    });
  }

  stateMachines(): StateMachineDef[] {
    return this.resourcesOf('AWS::StepFunctions::StateMachine').map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      return {
        logicalId,
        name: typeof properties.StateMachineName === 'string' ? properties.StateMachineName : undefined,
        definitionString: properties.DefinitionString,
        definition: properties.Definition,
        definitionSubstitutions: (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
        definitionS3Location: properties.DefinitionS3Location,
      };
    });
  }

  asyncInvokeConfigs(): AsyncInvokeConfigDef[] {
    return this.resourcesOf('AWS::Lambda::EventInvokeConfig').map(([, resource]) => {
      const properties = resource.Properties ?? {};
      const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
      return {
        functionName: properties.FunctionName,
        maximumRetryAttempts: typeof properties.MaximumRetryAttempts === 'number' ? properties.MaximumRetryAttempts : 2,
        ...(onFailure ? { onFailureDestination: onFailure } : {}),
      };
    });
  }
}
