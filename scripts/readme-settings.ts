/**
 * Rewrites the settings table in README.md from the settings catalogue (`npm run docs:settings`).
 * The table is the block that starts with the header row and ends at the first blank line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settingsMarkdown } from '../src/config/config.ts';

const file = path.join(import.meta.dirname, '..', 'README.md');
const readme = readFileSync(file, 'utf8');
const header = '| setting | default | what it does |';
const start = readme.indexOf(header);
if (start < 0) throw new Error('README.md has no settings table header');
const end = readme.indexOf('\n\n', start);
writeFileSync(file, readme.slice(0, start) + settingsMarkdown() + (end < 0 ? '\n' : readme.slice(end)));
console.log('README.md settings table updated');
