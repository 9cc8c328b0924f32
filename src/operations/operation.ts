import type { z } from 'zod'
import type { OperationName } from '../glossary.js'
import type { inputSchemas, OperationTypes } from '../model/shapes.generated.js'
import type { OperationContext } from './context.js'

export type { OperationName } from '../glossary.js'

/** An operation's input after validation (shaped by the schema generated from the model). */
export type ValidatedInput<Name extends OperationName> = z.output<(typeof inputSchemas)[Name]>

/**
 * An operation's implementation: validated input in, the SDK's output shape out. It may await
 * (to read blob bytes): calls run one at a time, so nothing else changes state meanwhile.
 */
export type Implementation<Name extends OperationName> = (
  input: ValidatedInput<Name>,
  ctx: OperationContext,
) => OperationTypes[Name]['output'] | Promise<OperationTypes[Name]['output']>

/** A family's implementations, keyed by operation name. */
export type Implementations = { [Name in OperationName]?: Implementation<Name> }
