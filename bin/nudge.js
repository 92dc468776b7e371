#!/usr/bin/env node
// The `nudge` CLI entry: registers the TypeScript loader (tsx), then runs cli/nudge.ts.
import { register } from 'tsx/esm/api';

register();
await import('../cli/nudge.ts');
