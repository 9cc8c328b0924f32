import { parseJsonText, prettyJsonText, type JsonObject, type JsonValue } from './json-text.js'

const ACCOUNT_ID = /^\d{12}$/

/**
 * The text ECR stores and returns for a repository or registry policy it accepted: the document
 * written back by Jackson's default pretty printer (members in the order given), with every
 * account id named as an `AWS` principal turned into the ARN of that account's root
 * (decisions/policy-text.md, discoveries §25). `text` must already have passed validation.
 *
 * @example
 * storedPolicyText('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"ecr:*"}]}', 'aws')
 * // '{\n  "Version" : "2012-10-17",\n  "Statement" : [ {\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "ecr:*"\n  } ]\n}'
 */
export function storedPolicyText(text: string, partition: string): string {
  const policy = parseJsonText(text)
  const statements = policy instanceof Map ? policy.get('Statement') : undefined
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (!(statement instanceof Map)) continue
    for (const member of ['Principal', 'NotPrincipal']) {
      const principal = statement.get(member)
      if (principal instanceof Map) expandAccounts(principal, partition)
    }
  }
  return prettyJsonText(policy)
}

/** `"AWS": "111122223333"` names the account's root, and IAM writes it so. */
function expandAccounts(principal: JsonObject, partition: string): void {
  const root = (value: JsonValue): JsonValue =>
    typeof value === 'string' && ACCOUNT_ID.test(value) ? `arn:${partition}:iam::${value}:root` : value
  const aws = principal.get('AWS')
  if (aws !== undefined) principal.set('AWS', Array.isArray(aws) ? aws.map(root) : root(aws))
}
