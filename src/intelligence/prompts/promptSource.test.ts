/** Parsing prompt sources, the canonical form and the hash: stable under reformatting, sensitive to content. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TASK_NAMES, TASK_OUTPUT_SCHEMAS } from '../tasks.ts';
import { readPromptSources } from './promptFiles.ts';
import { canonicalPrompt, PromptSourceError, parsePromptSource, promptHash } from './promptSource.ts';
import { DEGRADED_PROMPTS_DIR, makePromptDir, promptText, REPO_PROMPTS_DIR, repoPromptText } from './testing.ts';

function problem(fileName: string, text: string): string {
  try {
    parsePromptSource(fileName, text);
  } catch (error) {
    assert.ok(error instanceof PromptSourceError, String(error));
    assert.ok(error.message.startsWith(`${fileName}: `), error.message);
    return error.message;
  }
  assert.fail(`${fileName} parsed`);
}

describe('repository prompt sources', () => {
  test('one valid source per task, JSON-only output and a delimited, untrusted entry', async () => {
    const sources = await readPromptSources(REPO_PROMPTS_DIR);
    assert.deepEqual(sources.map((s) => s.task).sort(), [...TASK_NAMES].sort());
    for (const source of sources) {
      assert.match(source.system, /JSON/, source.task);
      assert.match(source.system, /untrusted/, source.task);
      assert.match(source.user, /<entry>[\s\S]*\{\{body\}\}[\s\S]*<\/entry>/, source.task);
      assert.deepEqual(source.outputSchema, JSON.parse(JSON.stringify(TASK_OUTPUT_SCHEMAS[source.task])));
    }
    const seo = sources.find((s) => s.task === 'seo');
    assert.equal(seo?.params.local?.maxChars, 155);
  });

  test('the degraded summary fixture parses (the eval gate, not the parser, must reject it)', async () => {
    const [degraded] = await readPromptSources(DEGRADED_PROMPTS_DIR);
    assert.equal(degraded?.task, 'summary');
    assert.deepEqual(degraded?.params.local, { sentences: 1, maxChars: 40 });
    const production = parsePromptSource('summary.md', repoPromptText('summary'));
    assert.notEqual(degraded && promptHash(degraded), promptHash(production));
  });
});

describe('hash', () => {
  const base = repoPromptText('summary');
  const hash = promptHash(parsePromptSource('summary.md', base));

  test('whitespace-only and front-matter reformatting keep it', () => {
    const reformatted = base
      .replace(
        /^---\n[\s\S]*?\n---\n/,
        [
          '---',
          'params: { local: { maxChars: 600, minChars: 120, sentences: 3 }, maxOutputTokens: 400, temperature: 0.2 }',
          '# comments and key order are not content',
          'description: "Neutral two-to-three sentence summary in the entry\'s language, for teasers, newsletters and search results."',
          'task: summary',
          '---',
          '',
        ].join('\n'),
      )
      .replace(/\n/g, '   \r\n')
      .replace('{{body}}', '{{ body }}');
    assert.equal(promptHash(parsePromptSource('summary.md', reformatted)), hash);
    // The description is metadata, not content.
    const described = base.replace(/^description: .*$/m, 'description: another description');
    assert.equal(promptHash(parsePromptSource('summary.md', described)), hash);
  });

  test('the same fields as YAML give the same hash', () => {
    const md = parsePromptSource('summary.md', base);
    const yaml = [
      'task: summary',
      'description: same prompt as yaml',
      'params: { temperature: 0.2, maxOutputTokens: 400, local: { sentences: 3, minChars: 120, maxChars: 600 } }',
      `system: ${JSON.stringify(md.system)}`,
      `user: ${JSON.stringify(md.user)}`,
    ].join('\n');
    assert.equal(promptHash(parsePromptSource('summary.yaml', yaml)), hash);
  });

  test('any change to templates or params changes it', () => {
    const variants = [
      base.replace('two or three complete sentences', 'two or three sentences'),
      base.replace('Summarize the following entry.', 'Summarize the following entry!'),
      base.replace('<title>{{title}}</title>', '<title>{{title}}</title>\n'.repeat(2).trim()),
      base.replace('temperature: 0.2', 'temperature: 0.3'),
      base.replace('sentences: 3', 'sentences: 2'),
      base.replace('maxOutputTokens: 400', 'maxOutputTokens: 401'),
    ];
    const hashes = new Set(variants.map((text) => promptHash(parsePromptSource('summary.md', text))));
    assert.equal(hashes.size, variants.length);
    assert.ok(!hashes.has(hash));
  });

  test('canonical JSON sorts keys and holds the output schema', () => {
    const canonical = canonicalPrompt(parsePromptSource('summary.md', base));
    const parsed = JSON.parse(canonical) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['outputSchema', 'params', 'system', 'task', 'user']);
    assert.deepEqual(parsed.outputSchema, JSON.parse(JSON.stringify(TASK_OUTPUT_SCHEMAS.summary)));
    assert.match(hash, /^[0-9a-f]{64}$/);
  });

  test('maxOutputTokens defaults to the task policy', () => {
    const source = parsePromptSource('tags.md', promptText('tags'));
    assert.equal(source.params.maxOutputTokens, 120);
  });
});

describe('rejected sources name the file and the problem', () => {
  test('unknown placeholders, tasks, fields and sections', () => {
    assert.match(
      problem('summary.md', promptText('summary', { user: '{{body}} {{author}}' })),
      /unknown placeholder \{\{author\}\}/,
    );
    assert.match(
      problem('summary.md', promptText('summary', { frontMatter: 'task: summarise\ndescription: x\n' })),
      /unknown task "summarise"/,
    );
    assert.match(problem('tags.md', promptText('summary')), /declares task "summary" but is named for "tags"/);
    assert.match(
      problem('summary.md', promptText('summary', { frontMatter: 'task: summary\ndescription: x\nmodel: gpt\n' })),
      /unknown field "model"/,
    );
    assert.match(
      problem('summary.md', `${promptText('summary')}\n## notes\n\nsomething\n`),
      /unknown section "## notes"/,
    );
    assert.match(problem('summary.txt', promptText('summary')), /\.md or \.yaml/);
  });

  test('entry content only in the user message, which needs the body (and context for related)', () => {
    assert.match(
      problem('summary.md', promptText('summary', { system: 'Summarize {{body}}' })),
      /\{\{body\}\} carries entry content and may appear only in the user section/,
    );
    assert.match(problem('summary.md', promptText('summary', { user: '{{title}}' })), /must include \{\{body\}\}/);
    assert.match(problem('related.md', promptText('related', { user: '{{body}}' })), /must include \{\{context\}\}/);
    assert.match(problem('summary.md', promptText('summary', { user: '{{body}} {{' })), /unbalanced/);
  });

  test('bad params and YAML', () => {
    const front = (params: string) =>
      promptText('seo', { frontMatter: `task: seo\ndescription: x\nparams:\n${params}\n` });
    assert.match(problem('seo.md', front('  temperature: 3')), /temperature/);
    assert.match(problem('seo.md', front('  maxOutputTokens: 0')), /maxOutputTokens/);
    assert.match(problem('seo.md', front('  local: { maxChars: [1] }')), /params\.local\.maxChars/);
    assert.match(problem('seo.md', front('  top_p: 1')), /unknown param "top_p"/);
    assert.match(problem('seo.md', '---\ntask: [seo\n---\n## system\nx\n## user\n{{body}}\n'), /not valid YAML/);
    assert.match(problem('seo.md', '## system\nx\n## user\n{{body}}\n'), /front matter/);
  });

  test('two sources for one task in a folder', async () => {
    const yaml = 'task: tags\ndescription: twin\nsystem: Tag it.\nuser: "{{body}}"\n';
    const folder = makePromptDir({ 'tags.md': promptText('tags'), 'tags.yaml': yaml, 'notes.txt': 'ignored' });
    try {
      await assert.rejects(readPromptSources(folder.dir), (error: unknown) => {
        assert.ok(error instanceof PromptSourceError);
        assert.match(error.message, /tags\.yaml: task "tags" already has a source/);
        return true;
      });
    } finally {
      folder.cleanup();
    }
  });
});
