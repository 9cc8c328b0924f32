// Prints "N passed, N failed" from vitest's JSON report (.ci/run's result line); exits non-zero
// when the report is missing or unreadable, or the run failed in any way (including a test file
// that could not load, which counts no failed test).
import { readFileSync } from 'node:fs'

const path = process.argv[2] ?? 'test-results/vitest.json'
let report
try {
  report = JSON.parse(readFileSync(path, 'utf8'))
} catch (error) {
  console.error(`No test report at ${path} (${error.message}): vitest did not finish.`)
  process.exit(2)
}
const { numPassedTests: passed, numFailedTests: failed, numFailedTestSuites: failedFiles, success } = report
console.log(`${passed} passed, ${failed} failed`)
if (failedFiles > 0) console.error(`${failedFiles} test file(s) or suite(s) failed.`)
process.exit(success === true && failed === 0 && failedFiles === 0 && passed > 0 ? 0 : 1)
