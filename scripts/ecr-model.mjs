// ECR's Smithy model as the generator and the conformance suite read it: AWS's published model
// (model/ecr-smithy-model.json, kept as AWS publishes it) plus the shapes of operations the current
// SDK has and that model lacks (model/ecr-model-supplement.json, decisions/ecr-model-supplement.md).
import { readFileSync } from 'node:fs'

const read = (name) => JSON.parse(readFileSync(new URL(`../model/${name}`, import.meta.url), 'utf8'))

/**
 * The model's shapes, the supplement's added. The supplement only adds: once AWS's model defines
 * one of its shapes, this throws, and that shape is to be deleted from the supplement.
 *
 * @example
 * const { shapes } = readEcrModel()
 * shapes['com.amazonaws.ecr#StartReplicationBackfill'].type // 'operation'
 */
export function readEcrModel() {
  const model = read('ecr-smithy-model.json')
  const supplement = read('ecr-model-supplement.json')
  const overlap = Object.keys(supplement.shapes).filter((id) => Object.hasOwn(model.shapes, id))
  if (overlap.length > 0) {
    throw new Error(
      `model/ecr-model-supplement.json redefines shapes AWS's model now has: ${overlap.join(', ')}. Delete them from the supplement.`,
    )
  }
  return { ...model, shapes: { ...model.shapes, ...supplement.shapes } }
}
