import { describe, expect, it } from 'vitest'
import { ACCOUNT, REGION, useRegistry } from './harness.js'

let clock = Date.parse('2026-03-01T00:00:00Z')
const { v2, login, ecr } = useRegistry({ now: () => clock })

const CHALLENGE = `Basic realm="https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/",service="ecr.amazonaws.com"`

describe('registry API authentication', () => {
  it('challenges a request without credentials as ECR does: 401, Basic realm of the registry, Not Authorized', async () => {
    const response = await v2('/v2/', { authorization: null })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await response.text()).toBe('Not Authorized')
  })

  it.each([
    ['a password the engine never issued', `Basic ${btoa('AWS:eyJhIjoxfQ.0000')}`],
    ['another user than AWS', async () => `Basic ${btoa(`admin:${atob((await login()).slice(6)).slice(4)}`)}`],
    ['a bearer token', 'Bearer abc'],
    ['base64 that is not', 'Basic ***'],
  ])('challenges %s', async (_, header) => {
    const authorization = typeof header === 'string' ? header : await header()
    const response = await v2('/v2/web/tags/list', { authorization })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE)
  })

  it('refuses an expired token with DENIED and ECR’s words', async () => {
    const authorization = await login()
    clock += 12 * 60 * 60 * 1000
    const response = await v2('/v2/', { authorization })
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      errors: [{ code: 'DENIED', message: 'Your authorization token has expired. Reauthenticate and try again.' }],
    })
  })

  it('lets a token of another account in only where a repository policy allows it', async () => {
    await ecr.call('CreateRepository', { repositoryName: 'shared' })
    await ecr.call('CreateRepository', { repositoryName: 'private' })
    const principal = 'arn:aws:iam::210987654321:root'
    await ecr.call('SetRepositoryPolicy', {
      repositoryName: 'shared',
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: ['ecr:ListImages'] }],
      }),
    })
    const { authorizationData } = await ecr.call('GetAuthorizationToken', {}, { accountId: '210987654321' })
    const authorization = `Basic ${authorizationData![0]!.authorizationToken!}`
    expect((await v2('/v2/shared/tags/list', { authorization })).status).toBe(200)
    const refused = await v2('/v2/private/tags/list', { authorization })
    expect(refused.status).toBe(403)
    const { errors } = (await refused.json()) as { errors: Array<{ code: string; message: string }> }
    expect(errors[0]!.code).toBe('DENIED')
    expect(errors[0]!.message).toContain('is not authorized to perform: ecr:ListImages')
  })
})
