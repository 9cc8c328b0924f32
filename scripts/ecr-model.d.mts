/** ECR's Smithy model with the supplement's shapes added (see ecr-model.mjs). */
export declare function readEcrModel(): { smithy: string; shapes: Record<string, unknown> }
