import { GetAuthorizationTokenCommand, InvalidParameterException } from '@aws-sdk/client-ecr'
import { describe, expect, it } from 'vitest'
import { useFakeEcr } from './harness.js'

const NOW = Date.parse('2030-03-01T10:30:00.250Z')
const { client, proxyEndpoint } = useFakeEcr({ now: () => NOW })

const decode = (token: string) => Buffer.from(token, 'base64').toString('utf8')

describe('GetAuthorizationToken', () => {
  it('returns docker credentials for the caller’s registry, valid for 12 hours', async () => {
    const { authorizationData } = await client().send(new GetAuthorizationTokenCommand({}))
    expect(authorizationData).toHaveLength(1)
    const [data] = authorizationData!
    expect(data!.proxyEndpoint).toBe(proxyEndpoint('123456789012.dkr.ecr.eu-west-1.amazonaws.com'))
    expect(data!.expiresAt).toEqual(new Date(NOW + 12 * 60 * 60 * 1000))
    const [user, password, ...rest] = decode(data!.authorizationToken!).split(':')
    expect(user).toBe('AWS')
    expect(rest).toEqual([])
    // Only characters that docker login and credential helpers pass through untouched.
    expect(password).toMatch(/^[A-Za-z0-9._-]{32,}$/)
  })

  it('returns one entry per requested registry id', async () => {
    const { authorizationData } = await client().send(
      new GetAuthorizationTokenCommand({ registryIds: ['111122223333', '444455556666'] }),
    )
    expect(authorizationData!.map((data) => data.proxyEndpoint)).toEqual([
      proxyEndpoint('111122223333.dkr.ecr.eu-west-1.amazonaws.com'),
      proxyEndpoint('444455556666.dkr.ecr.eu-west-1.amazonaws.com'),
    ])
    for (const data of authorizationData!) expect(decode(data.authorizationToken!)).toMatch(/^AWS:/)
  })

  it('uses the partition’s domain for the registry endpoint', async () => {
    const { authorizationData } = await client({ region: 'cn-north-1' }).send(new GetAuthorizationTokenCommand({}))
    expect(authorizationData![0]!.proxyEndpoint).toBe(proxyEndpoint('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn'))
  })

  it('refuses a malformed registry id', async () => {
    const error = await client()
      .send(new GetAuthorizationTokenCommand({ registryIds: ['12345'] }))
      .catch((e) => e)
    expect(error).toBeInstanceOf(InvalidParameterException)
    expect(error.message).toBe(
      "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'",
    )
  })
})
