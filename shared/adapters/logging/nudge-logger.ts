import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redactForLog } from './redact-for-log.ts';

/**
 * Powertools' standard JSON record (the same keys as its default formatter), passed through
 * redactForLog: the one place every handler's log line goes through, so no call site can forget.
 * A LogFormatter because that is Powertools' documented extension point; its default formatter is
 * not exported, hence the base keys are listed here.
 */
class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: redactForLog({ ...base, ...additional }) as LogAttributes });
  }
}

/** The logger of every Nudge function: Powertools Logger with personal data redacted. */
export function nudgeLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logFormatter: new RedactingLogFormatter() });
}
