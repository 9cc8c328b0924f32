import type { z } from 'zod'
import type { inputSchemas, OperationTypes } from '../model/shapes.generated.js'
import type { OperationContext } from './context.js'

/** Every operation in ECR's model. */
export type OperationName = keyof OperationTypes

/** An operation's input after validation (shaped by the schema generated from the model). */
export type ValidatedInput<Name extends OperationName> = z.output<(typeof inputSchemas)[Name]>

/** An operation's implementation: validated input in, the SDK's output shape out. */
export type Implementation<Name extends OperationName> = (
  input: ValidatedInput<Name>,
  ctx: OperationContext,
) => OperationTypes[Name]['output']

/** A family's implementations, keyed by operation name. */
export type Implementations = { [Name in OperationName]?: Implementation<Name> }
