import { DescribeRepositoriesCommand, ECRClient, type Repository } from '@aws-sdk/client-ecr'
import { useEffect, useState } from 'react'

export interface RepositoryListProps {
  /** The region whose registry is listed. */
  region: string
}

type State = { status: 'loading' } | { status: 'loaded'; repositories: Repository[] } | { status: 'failed'; error: Error }

/** The repositories of a region's registry, as the AWS SDK lists them. */
export function RepositoryList({ region }: RepositoryListProps) {
  const [state, setState] = useState<State>({ status: 'loading' })

  useEffect(() => {
    // Any credentials do: the fake checks no signatures unless it is given keys.
    const client = new ECRClient({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
    let current = true
    setState({ status: 'loading' })
    client.send(new DescribeRepositoriesCommand({})).then(
      ({ repositories = [] }) => current && setState({ status: 'loaded', repositories }),
      (error: Error) => current && setState({ status: 'failed', error }),
    )
    return () => {
      current = false
      client.destroy()
    }
  }, [region])

  switch (state.status) {
    case 'loading':
      return <p>Loading…</p>
    case 'failed':
      return (
        <p role="alert">
          Could not list repositories: {state.error.name}: {state.error.message}
        </p>
      )
    case 'loaded':
      if (state.repositories.length === 0) return <p>No repositories in {region}.</p>
      return (
        <ul>
          {state.repositories.map(({ repositoryName, repositoryUri }) => (
            <li key={repositoryName}>
              {repositoryName} <code>{repositoryUri}</code>
            </li>
          ))}
        </ul>
      )
  }
}
