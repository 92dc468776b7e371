/**
 * SQS's message size, counted as SQS counts it. A message is at most its queue's
 * MaximumMessageSize (1,024 to 1,048,576 bytes; 1 MiB when unset, since SQS raised it from 256 KiB
 * in 2025: SQS API reference, SetQueueAttributes and SendMessage "The maximum size is 1 MiB or
 * 1,048,576 bytes"), and a batch at most 1 MiB in all. The size is the body's UTF-8 bytes plus each
 * message attribute's name, data type and value.
 *
 * local-aws-sqs enforces both limits but counts UTF-16 code units, so a body of accented or
 * non-Latin text up to three times the limit in bytes would pass locally and be refused by SQS.
 * These checks run in front of it (see sqs-local.ts) and answer as it does, in bytes: SendMessage,
 * and a batch's total. What passes them the library still checks its own way, never stricter; a
 * single batch entry is left to it (its per-entry failures are partial batch results).
 */

/** SendMessageBatch's total: "Batch requests cannot be longer than 1048576 bytes". */
export const MAX_BATCH_BYTES = 1_048_576;

type Attribute = { DataType?: unknown; StringValue?: unknown; BinaryValue?: unknown };
type Entry = { MessageBody?: unknown; MessageAttributes?: unknown };

/** An SQS error as local-aws-sqs puts it on the wire (JSON protocol), so the SDK raises the same exception. */
export type SqsRefusal = { queryError: string; type: string; message: string };

/** Bytes of one message as SQS counts them against MaximumMessageSize. */
export function messageBytes(entry: Entry): number {
  let bytes = typeof entry.MessageBody === 'string' ? Buffer.byteLength(entry.MessageBody, 'utf8') : 0;
  const attributes = entry.MessageAttributes;
  if (attributes && typeof attributes === 'object') {
    for (const [name, value] of Object.entries(attributes as Record<string, Attribute>)) {
      bytes += Buffer.byteLength(name, 'utf8');
      if (typeof value?.DataType === 'string') bytes += Buffer.byteLength(value.DataType, 'utf8');
      if (typeof value?.StringValue === 'string') bytes += Buffer.byteLength(value.StringValue, 'utf8');
      // The JSON protocol carries binary values in base64; SQS counts the bytes themselves.
      if (typeof value?.BinaryValue === 'string') bytes += Buffer.from(value.BinaryValue, 'base64').length;
    }
  }
  return bytes;
}

/**
 * The refusal SQS answers `operation` (SendMessage, SendMessageBatch; the JSON protocol's request
 * body) with when a message is over `maximumMessageSize` or a batch over 1 MiB; undefined to let it through.
 */
export function oversizeRefusal(operation: string, request: Record<string, unknown>, maximumMessageSize: number): SqsRefusal | undefined {
  if (operation === 'SendMessage') {
    if (messageBytes(request) <= maximumMessageSize) return undefined;
    return {
      queryError: 'InvalidParameterValue;Sender',
      type: 'com.amazon.coral.service#InvalidParameterValueException',
      message: `One or more parameters are invalid. Reason: Message must be shorter than ${maximumMessageSize} bytes.`,
    };
  }
  if (operation === 'SendMessageBatch' && Array.isArray(request.Entries)) {
    const total = (request.Entries as Entry[]).reduce((sum, entry) => sum + messageBytes(entry ?? {}), 0);
    if (total <= MAX_BATCH_BYTES) return undefined;
    return {
      queryError: 'AWS.SimpleQueueService.BatchRequestTooLong;Sender',
      type: 'com.amazonaws.sqs#BatchRequestTooLong',
      message: `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
    };
  }
  return undefined;
}
