#!/usr/bin/env node
// Runs the compiled CLI when built (dist/), else the TypeScript source through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const compiled = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (existsSync(compiled)) {
  require(compiled);
} else {
  require('tsx/cjs');
  require(join(__dirname, '..', 'cli', 'main.ts'));
}
