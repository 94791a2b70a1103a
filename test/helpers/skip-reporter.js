// A jest reporter that ends every run with the list of what was skipped and why: skipped tests (their names carry
// the reason when made with testIf/describeIf from test/helpers/skip.ts) and the notes written with noteSkip().
// With ISPGATE_SKIP_SUMMARY set, the same lines go to that file (.ci/run prints it).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class SkipReporter {
  constructor() {
    this.log = path.join(os.tmpdir(), `ispgate-skips-${process.pid}-${Date.now()}.jsonl`);
    // Set before any test environment exists, so tests in band and in workers both inherit it.
    process.env.ISPGATE_SKIP_LOG = this.log;
  }

  onRunComplete(_contexts, results) {
    const lines = [];
    for (const file of results.testResults) {
      const rel = path.relative(process.cwd(), file.testFilePath);
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          const reason = /\[skipped: ([^\]]*)\]/.exec(t.fullName);
          lines.push(`${rel}: ${t.fullName}${reason ? '' : ' (no reason given: use testIf/describeIf from test/helpers/skip.ts)'}`);
        }
      }
    }
    if (fs.existsSync(this.log)) {
      for (const l of fs.readFileSync(this.log, 'utf8').split('\n').filter(Boolean)) {
        try {
          const n = JSON.parse(l);
          lines.push(`${n.file ? path.relative(process.cwd(), n.file) + ': ' : ''}${n.line}`);
        } catch {
          lines.push(l);
        }
      }
      fs.rmSync(this.log, { force: true });
    }
    const out = lines.length ? `\nSkipped (${lines.length}):\n${lines.map((l) => `  - ${l}`).join('\n')}\n` : '\nSkipped: nothing.\n';
    process.stderr.write(out);
    if (process.env.ISPGATE_SKIP_SUMMARY) fs.writeFileSync(process.env.ISPGATE_SKIP_SUMMARY, lines.join('\n') + (lines.length ? '\n' : ''));
  }
}

module.exports = SkipReporter;
