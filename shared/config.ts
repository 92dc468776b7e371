import * as z from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates environment configuration once, at cold start. A missing or malformed
 * variable fails fast with its name, instead of surfacing later as an AWS error.
 */
export function readConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<Shape>> {
  const parsed = z.object(shape).safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return env[name] === undefined ? `${name} is not set` : `${name} is invalid: ${issue.message}`;
  });
  throw new ConfigError(`Configuration error: ${problems.join('; ')}`);
}
