// `npm start`: the standalone server (dist/handlers/node/cli.js, with this command's arguments),
// compiled first by `npm run build` when dist/ was built from other sources than those here, or
// not built at all (a fresh clone). The sources are known by their paths, sizes and modification
// times, recorded in dist/ after each build this script runs: an edit, a new file, a deleted or
// renamed one, a checkout or an install (package-lock.json) all mean a build, and every build is
// clean (`rm -rf dist` first), so no output of a deleted source lingers.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '..')
const INPUTS = ['src', 'handlers', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']
const RECORD = join(root, 'dist/.sources')
const CLI = join(root, 'dist/handlers/node/cli.js')

/** One line per source file: its path, size and modification time. */
function sources() {
  const lines = []
  const visit = (path) => {
    const stats = statSync(path, { throwIfNoEntry: false })
    if (stats === undefined) return
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name))
    } else {
      lines.push(`${relative(root, path)}\t${stats.size}\t${stats.mtimeMs}`)
    }
  }
  for (const input of INPUTS) visit(join(root, input))
  return lines.join('\n')
}

const current = sources()
const built = existsSync(CLI) && existsSync(RECORD) ? readFileSync(RECORD, 'utf8') : undefined
if (built !== current) {
  // npm's own CLI when run by npm (no shell needed), else whichever npm is on the PATH.
  const npm = process.env.npm_execpath
  const build =
    npm === undefined
      ? spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
      : spawnSync(process.execPath, [npm, 'run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
  // What the build read: a source changed meanwhile makes the next start build again.
  writeFileSync(RECORD, current)
}

await import(pathToFileURL(CLI).href)
