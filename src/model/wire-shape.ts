/**
 * The JSON type of a shape of ECR's model, as the AWS JSON reader needs it
 * (`src/model/wire-shapes.generated.ts`): what a member's value must be, and how many items a
 * list may hold. Enums are strings; constraints other than list lengths are the validator's.
 */
export type WireShape =
  | { readonly type: 'structure'; readonly members: { readonly [member: string]: WireShape } }
  | { readonly type: 'list'; readonly member: WireShape; readonly max?: number }
  | { readonly type: 'string' | 'integer' | 'long' | 'boolean' | 'blob' }
