import { randomUUID } from 'node:crypto';
import type { FunctionHost } from './function-host.ts';
import { functionIdFromArn } from './invoke-async.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';

export type FunctionUrlResponse = { statusCode: number; headers: Record<string, string>; body: Buffer };

/** Local paths of Function URLs: `/_url/<logical id of the AWS::Lambda::Url>/...`. */
export const FUNCTION_URL_PREFIX = '/_url/';

/**
 * Lambda Function URLs, locally: each `AWS::Lambda::Url` of the stack is served under
 * `<EventBridge endpoint>/_url/<logical id>/`, invoking its function synchronously with the
 * Function URL (payload 2.0) event and turning the result into the HTTP response, as AWS does.
 * The stack's `Fn::GetAtt <url>.FunctionUrl` resolves to that base, so emails rendered locally
 * carry links that work in the SES web UI.
 */
export class LocalFunctionUrls {
  private readonly targets = new Map<string, string>();

  constructor(
    stackResources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
    resources: Map<string, LocalResource>,
    baseUrl: string,
  ) {
    for (const [logicalId, resource] of Object.entries(stackResources)) {
      if (resource.Type !== 'AWS::Lambda::Url') continue;
      const url = `${baseUrl}${FUNCTION_URL_PREFIX}${logicalId}/`;
      const functionArn = String(resolveIntrinsics(resource.Properties?.TargetFunctionArn, resources));
      resources.set(logicalId, { ref: logicalId, attributes: { FunctionUrl: url, FunctionArn: functionArn } });
      this.targets.set(logicalId, functionArn);
    }
  }

  private functions: Pick<FunctionHost, 'has' | 'invoke'> | undefined;

  /** The functions become available after the environment (which needs the URLs) is set. */
  attach(functions: Pick<FunctionHost, 'has' | 'invoke'>): void {
    this.functions = functions;
  }

  /** Serves one request under FUNCTION_URL_PREFIX, or undefined when no Function URL has that id. */
  async handle(input: { path: string; method: string; headers: Record<string, string>; body: string; query: string }): Promise<FunctionUrlResponse | undefined> {
    const [urlId, ...rest] = input.path.slice(FUNCTION_URL_PREFIX.length).split('/');
    const arn = urlId ? this.targets.get(urlId) : undefined;
    const functionId = arn && this.functions ? functionIdFromArn(arn, this.functions) : undefined;
    if (!functionId || !this.functions) return undefined;
    const rawPath = `/${rest.join('/')}`;
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: input.query,
      headers: input.headers,
      requestContext: { http: { method: input.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: input.headers['user-agent'] ?? '' }, requestId: randomUUID(), timeEpoch: Date.now() },
      body: input.body,
      isBase64Encoded: false,
    };
    const result = (await this.functions.invoke(functionId, event)) as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | undefined;
    const body = Buffer.from(result?.body ?? '', result?.isBase64Encoded ? 'base64' : 'utf8');
    return { statusCode: result?.statusCode ?? 200, headers: result?.headers ?? {}, body };
  }
}
