#!/usr/bin/env node
// Entry for `prepaid …` / `npx prepaid …`: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/prepaid.ts');
