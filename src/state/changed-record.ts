/**
 * A record with some members changed, as a new object (records are replaced, never edited).
 * Built with `Object.assign` onto `{}`, not `{ ...record, member }`: on Node 20, V8 gives every
 * object that a spread copies and then adds a member to a hidden class of its own, so a page of
 * 1,000 images scanned on push (or pulled, or archived) read them through megamorphic property
 * loads, 7× slower than images never changed (decisions/page-cost.md).
 */
export function changedRecord<T extends object>(record: T, changes: Partial<T>): T {
  return Object.assign({}, record, changes)
}
