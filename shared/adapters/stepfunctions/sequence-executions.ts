import { ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { SequenceExecutions } from '../../domain/ports.ts';
import type { SequenceMachineState } from '../../domain/sequence-runs.ts';

/** Sequence runs as executions of the one sequence state machine, named after the run. */
export class StepFunctionsSequenceExecutions implements SequenceExecutions {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(runId: string, input: SequenceMachineState): Promise<void> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: runId, input: JSON.stringify(input) }));
    } catch (error) {
      // Same name, different input (a due time computed again) or already closed: the run's execution exists, which is all a start needs.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async stop(executionArn: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, cause: cause.slice(0, 32_768) }));
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }

  /** arn:<partition>:states:<region>:<account>:execution:<machine name>:<execution name> */
  executionArnFor(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}
