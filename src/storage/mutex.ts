/** Runs bodies one at a time, in the order they were given: the `exclusive` of stores with one user at a time. */
export function createMutex(): <T>(body: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve()
  return (body) => {
    const run = queue.then(body)
    queue = run.catch(() => undefined)
    return run
  }
}
