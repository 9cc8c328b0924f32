import type { Shape } from './model.js'

/**
 * Where a raw JSON value departs from a shape of the model: required members missing, a JSON type
 * that is not the shape's, enum values outside the enum, timestamps that are not epoch-second
 * numbers, integers with a fraction, and members the model does not have, at any depth. Optional
 * members may be absent. An empty list means the value conforms.
 *
 * @example
 * shapeProblems(modelOperations.get('ListImages')!.output, await response.json())
 * // ['imageIds[0].imageTag: expected a string, got number']
 */
export function shapeProblems(shape: Shape, value: unknown, path = '$'): string[] {
  const got = describe(value)
  const problem = (text: string) => [`${path}: ${text}`]
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? [] : problem(`expected a string, got ${got}`)
    case 'enum':
      if (typeof value !== 'string') return problem(`expected a string, got ${got}`)
      return shape.values.includes(value) ? [] : problem(`${JSON.stringify(value)} is not in ${shape.name} [${shape.values.join(', ')}]`)
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : problem(`expected a whole number, got ${got === 'number' ? String(value) : got}`)
    case 'double':
      return typeof value === 'number' ? [] : problem(`expected a number, got ${got}`)
    case 'timestamp':
      // AWS JSON sends epoch seconds; an ISO string makes the SDK throw (shared/reference/ECR-API.md §1.2).
      return typeof value === 'number' && Number.isFinite(value) ? [] : problem(`expected epoch seconds (a number), got ${got}`)
    case 'boolean':
      return typeof value === 'boolean' ? [] : problem(`expected a boolean, got ${got}`)
    case 'blob':
      return typeof value === 'string' ? [] : problem(`expected base64 text, got ${got}`)
    case 'list':
      if (!Array.isArray(value)) return problem(`expected a list, got ${got}`)
      return value.flatMap((item, index) => shapeProblems(shape.member, item, `${path}[${index}]`))
    case 'map':
      if (got !== 'object') return problem(`expected a map, got ${got}`)
      return Object.entries(value as object).flatMap(([key, item]) => [
        ...shapeProblems(shape.key, key, `${path} key`),
        ...shapeProblems(shape.value, item, `${path}.${key}`),
      ])
    case 'structure': {
      if (got !== 'object') return problem(`expected a structure, got ${got}`)
      const record = value as Record<string, unknown>
      const known = new Map(shape.members.map((member) => [member.name, member]))
      const problems: string[] = []
      for (const key of Object.keys(record)) {
        const member = known.get(key)
        if (member === undefined) problems.push(`${path}.${key}: ${shape.name} has no such member`)
        else problems.push(...shapeProblems(member.shape, record[key], `${path}.${key}`))
      }
      for (const member of shape.members) {
        if (member.required && !Object.hasOwn(record, member.name)) problems.push(`${path}.${member.name}: required by ${shape.name}, missing`)
      }
      return problems
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'list'
  return typeof value
}
