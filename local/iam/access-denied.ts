import { randomUUID } from 'node:crypto';
import type { Decision } from './policy-evaluator.ts';
import type { WireProtocol } from './sdk-requests.ts';

/**
 * AWS's AccessDenied message for a denied request, in the form the service writes it: most
 * services use IAM's standard sentence; SES's sending authorization its own (back-quoted) one;
 * SQS names the action in lower case.
 */
export function accessDeniedMessage(input: { principal: string; action: string; resource: string; decision: Decision }): string {
  const { principal, resource, decision } = input;
  if (input.action === 'ses:SendEmail') {
    return `User \`${principal}' is not authorized to perform \`${input.action}' on resource \`${resource}'`;
  }
  const action = input.action.startsWith('sqs:') ? input.action.toLowerCase() : input.action;
  const reason =
    decision === 'ExplicitlyDenied'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
}

/** A raw HTTP response the SDK deserializes as it would AWS's own. */
export type WireResponse = { statusCode: number; headers: Record<string, string>; body: Uint8Array };

/**
 * The HTTP response the service sends for an AccessDenied, in its protocol: JSON services answer
 * 400 with `__type`; REST services 403 with `x-amzn-ErrorType`; SQS (JSON, query-compatible) adds
 * its query error code. The SDK's own deserializer turns this into the exception a handler sees.
 */
export function accessDeniedResponse(protocol: WireProtocol, message: string, options: { queryCompatible?: boolean } = {}): WireResponse {
  const requestId = randomUUID();
  if (protocol === 'restJson1') {
    return {
      statusCode: 403,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' },
      body: encode({ Message: message, message }),
    };
  }
  const headers: Record<string, string> = {
    'content-type': protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
    'x-amzn-requestid': requestId,
  };
  if (options.queryCompatible) headers['x-amzn-query-error'] = 'AccessDenied;Sender';
  return { statusCode: 400, headers, body: encode({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message, message }) };
}

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
