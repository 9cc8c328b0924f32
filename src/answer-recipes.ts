/**
 * Recipe lists: an answer's big list handed over as recipes, one per item, rather than as items.
 * A recipe makes its item on demand, and it stands for the item's content: a listing reuses the
 * same recipe only while what it would make is unchanged, so a front end may keep what it wrote
 * of a recipe's item (its wire text) under the recipe and write the next answer without making
 * the item again (decisions/page-cost.md: writing 1,000 image details as AWS JSON cost more than
 * building them).
 *
 * Only the engine's entry points see a recipe list: `forCaller` makes the items for callers
 * (src/caller-copy.ts), and the front ends' dispatch (src/front-end.ts) hands the answer over as it
 * is. Recipe lists appear only as top-level members of an answer built for the call.
 */
export interface ItemRecipe<T> {
  /** The item: a new object each time, sharing nothing with state or with other answers. */
  make(): T
}

const recipeLists = new WeakSet<readonly unknown[]>()

/** `recipes` as the list of their items, which it stands for until an entry point makes them. */
export function listOfRecipes<T>(recipes: ItemRecipe<T>[]): T[] {
  recipeLists.add(recipes)
  return recipes as unknown as T[]
}

/** The recipes `member` is a list of, if it is a recipe list. */
export function recipesIn(member: unknown): readonly ItemRecipe<unknown>[] | undefined {
  return Array.isArray(member) && recipeLists.has(member) ? (member as ItemRecipe<unknown>[]) : undefined
}

/** `output` with its recipe lists replaced by the items they make (in place: it was built for the call). */
export function withItemsMade<T>(output: T): T {
  if (typeof output !== 'object' || output === null) return output
  const members = output as Record<string, unknown>
  for (const name of Object.keys(members)) {
    const recipes = recipesIn(members[name])
    if (recipes !== undefined) members[name] = recipes.map((recipe) => recipe.make())
  }
  return output
}
