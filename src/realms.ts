// Values may come from another JavaScript realm than the engine's: Jest runs test files in a VM
// context with its own globals, a page may hand an iframe's objects over. `instanceof` fails
// across realms, so the engine and the handlers recognise dates and bytes by their built-in tag.

const tagOf = (value: unknown) => Object.prototype.toString.call(value)

/** Whether `value` is a Date, from any realm. */
export function isDate(value: unknown): value is Date {
  return tagOf(value) === '[object Date]'
}

/** Whether `value` is a Uint8Array (a Node Buffer is one), from any realm. */
export function isBytes(value: unknown): value is Uint8Array {
  return tagOf(value) === '[object Uint8Array]'
}
