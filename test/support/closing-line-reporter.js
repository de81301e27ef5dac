// Ends a Jest run with one plain line, "Tests: N passed, N failed, N skipped": Jest's own summary goes to
// stderr in a layout ("556 passed, 556 total") that tools reading a run's closing line do not parse.
// With JEST_CLOSING_LINE_FILE set the line goes to that file, so scripts/test.sh can print it after
// Jest's summary, as the run's very last line; otherwise it goes to stdout.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Jest loads reporters as CommonJS
const fs = require('node:fs');

class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    const file = process.env.JEST_CLOSING_LINE_FILE;
    if (file) fs.writeFileSync(file, line);
    else process.stdout.write(line);
  }
}
module.exports = ClosingLineReporter;
