// Installs dependencies on a fresh clone so `npm start` and `npm test` work as the first command.
// Plain JavaScript on purpose: it must run on whatever Node npm was started with, before the pinned one exists.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const lock = 'package-lock.json';
const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  // `npm install`, not `npm ci`: squawk-cli lists macOS/Windows binaries as optional dependencies that this
  // registry does not serve, so they cannot be in the lock file and `npm ci` refuses it as out of sync.
  // `npm install` keeps the locked versions and skips the unavailable optional packages.
  console.error('galley: installing dependencies (npm install)…');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
