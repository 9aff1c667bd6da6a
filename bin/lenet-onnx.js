#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import('../dist/cli.js').then((m) => m.main(process.argv));
