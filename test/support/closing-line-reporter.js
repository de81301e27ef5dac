// Ends a Jest run with one plain line on stdout, "Tests: N passed, N failed, N skipped": Jest's own
// summary goes to stderr in a layout ("556 passed, 556 total") that tools reading a run's tail do not parse.
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = ClosingLineReporter;
