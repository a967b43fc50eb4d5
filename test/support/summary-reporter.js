// Ends the run with one plain line CI can read: "Tests: N passed, N failed, N skipped".
// Written when the process exits, so that it comes after jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    // A suite that fails to load has no failed tests: count it as a failure.
    const failed = results.numFailedTests + (results.numFailedTests === 0 ? failedSuites : 0);
    const line = `\nTests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}
module.exports = SummaryReporter;
