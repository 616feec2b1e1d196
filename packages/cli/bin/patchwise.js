#!/usr/bin/env node
// Entry point linked as `patchwise` into node_modules/.bin. The sources are TypeScript, loaded
// through tsx's loader so that `npm ci` is the only set-up step (no build output to go stale).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main(process.argv);
