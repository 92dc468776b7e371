import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root. Lambda entries are given relative to it (the same path is written into each
 * function's `nudge:entry` metadata), and esbuild bundles with it as the project root so that
 * package.json `imports` (`#shared/*`) resolve exactly as they do for Node and vitest.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The lock file that pins what esbuild bundles into the functions. */
export const LOCK_FILE = join(PROJECT_ROOT, 'package-lock.json');
