import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  PutLifecyclePolicyCommand,
  StartImageScanCommand,
  paginateDescribeImageScanFindings,
  paginateDescribeImages,
  paginateDescribeRepositories,
  waitUntilImageScanComplete,
  type DescribeImageScanFindingsResponse,
  type ECRClient,
  type ImageDetail,
  type ImageScanFinding,
  type Repository,
} from '@aws-sdk/client-ecr'
import type { Ecr } from '../src/index.js'
import { byId, describeError, formatBytes, formatDate, h, shortDigest, timeElement } from './dom.js'
import { pushGeneratedImage } from './push-image.js'

export interface ConsoleOptions {
  /** The engine behind the page's service worker: for reset, sample data and change events. */
  ecr: Ecr
  /** The SDK client every read and write of the console goes through. */
  client: ECRClient
  /** Where the state lives, shown in the header. */
  storageLabel: string
}

/** What one refresh read through the SDK: the console renders from this alone. */
interface View {
  repositories: Repository[]
  repository?: Repository
  images: ImageDetail[]
  lifecyclePolicyText?: string
  findings?: { image: ImageDetail; response: FindingsPage; list: ImageScanFinding[] }
}

type FindingsPage = Omit<DescribeImageScanFindingsResponse, '$metadata'>

const EXAMPLE_POLICY = {
  rules: [
    {
      rulePriority: 1,
      description: 'Keep the last 10 release images',
      selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 10 },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Expire untagged images after 14 days',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: { type: 'expire' },
    },
  ],
}

/** Where an action's buttons wait and its error is shown. */
interface ActionScope {
  controls: HTMLElement
  errors: HTMLElement
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const

/**
 * Runs the console in the page's index.html: reads everything through the SDK, re-reads whenever
 * the engine changes (in this tab or, through shared storage, in another one), and turns each
 * form and button into SDK calls whose errors are shown as the SDK reports them.
 *
 * @example
 * mountConsole({ ecr, client: new ECRClient({ region, credentials }), storageLabel: 'in memory' })
 */
export function mountConsole({ ecr, client, storageLabel }: ConsoleOptions): void {
  const region = ecr.region
  /** The image whose findings are shown. */
  let findingsDigest: string | undefined
  /** The repository the lifecycle editor holds, and whether the user changed its text since. */
  let editorRepository: string | undefined
  let editorDirty = false

  const repositoryFromHash = () => {
    const match = /^#\/repositories\/(.+)$/.exec(location.hash)
    return match === null ? undefined : decodeURIComponent(match[1]!)
  }
  const hashOf = (name: string) => `#/repositories/${encodeURIComponent(name)}`

  const setStatus = (text: string) => {
    byId('status').textContent = text
  }

  async function read(): Promise<View> {
    const repositories: Repository[] = []
    for await (const page of paginateDescribeRepositories({ client }, {})) repositories.push(...(page.repositories ?? []))
    const repositoryName = repositoryFromHash()
    const repository = repositories.find((candidate) => candidate.repositoryName === repositoryName)
    if (repository === undefined || repositoryName === undefined) return { repositories, images: [] }

    const images: ImageDetail[] = []
    for await (const page of paginateDescribeImages({ client }, { repositoryName })) images.push(...(page.imageDetails ?? []))
    images.sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))

    let lifecyclePolicyText: string | undefined
    try {
      ;({ lifecyclePolicyText } = await client.send(new GetLifecyclePolicyCommand({ repositoryName })))
    } catch (error) {
      if (!(error instanceof LifecyclePolicyNotFoundException)) throw error
    }

    const view: View = { repositories, repository, images, lifecyclePolicyText }
    const image = images.find((candidate) => candidate.imageDigest === findingsDigest)
    if (image?.imageScanStatus !== undefined) {
      const list: ImageScanFinding[] = []
      let response: FindingsPage = {}
      const pages = paginateDescribeImageScanFindings({ client }, { repositoryName, imageId: { imageDigest: image.imageDigest } })
      for await (const { $metadata: _, ...page } of pages) {
        response = page
        list.push(...(page.imageScanFindings?.findings ?? []))
      }
      view.findings = { image, response, list }
    }
    return view
  }

  function render(view: View): void {
    renderRepositories(view)
    byId('repository').hidden = view.repository === undefined
    byId('no-selection').hidden = view.repository !== undefined
    if (view.repository === undefined) return
    const repositoryName = view.repository.repositoryName!
    byId('repository-title').textContent = repositoryName
    byId('repository-uri').textContent = view.repository.repositoryUri ?? ''
    renderImages(repositoryName, view.images)
    renderFindings(repositoryName, view.findings)
    renderLifecycle(repositoryName, view.lifecyclePolicyText)
  }

  function renderRepositories({ repositories, repository: selected }: View): void {
    byId('no-repositories').hidden = repositories.length > 0
    byId('repositories').querySelector('tbody')!.replaceChildren(
      ...repositories.map((repository) => {
        const name = repository.repositoryName!
        return h(
          'tr',
          { className: repository === selected ? 'selected' : '' },
          h('td', {}, h('a', { href: hashOf(name) }, name), h('br'), h('code', { className: 'uri' }, repository.repositoryUri ?? '')),
          h('td', {}, timeElement(repository.createdAt)),
          h('td', {}, repository.imageTagMutability ?? ''),
          h('td', {}, repository.imageScanningConfiguration?.scanOnPush ? 'Enabled' : 'Disabled'),
          h(
            'td',
            { className: 'actions' },
            button(`Delete ${name}`, 'Delete', repositoryActions, async () => {
              await client.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }))
              setStatus(`Deleted repository ${name} and its images`)
              if (repositoryFromHash() === name) location.hash = ''
            }, { confirm: true }),
          ),
        )
      }),
    )
  }

  function renderImages(repositoryName: string, images: ImageDetail[]): void {
    byId('no-images').hidden = images.length > 0
    byId('images').querySelector('tbody')!.replaceChildren(
      ...images.map((image) => {
        const digest = image.imageDigest!
        const tags = image.imageTags ?? []
        const label = `${repositoryName}:${tags[0] ?? shortDigest(digest)}`
        return h(
          'tr',
          { className: digest === findingsDigest ? 'selected' : '', dataset: { digest } },
          h('td', {}, ...(tags.length > 0 ? tags.map((tag) => h('span', { className: 'tag' }, tag)) : [h('span', { className: 'hint' }, 'untagged')])),
          h('td', { className: 'nowrap' }, h('code', { title: digest }, shortDigest(digest))),
          h('td', { className: 'nowrap' }, formatBytes(image.imageSizeInBytes)),
          h('td', {}, timeElement(image.imagePushedAt)),
          h('td', {}, scanSummary(image)),
          h(
            'td',
            { className: 'actions' },
            button(`Scan ${label}`, 'Scan', imageActions, async () => {
              await client.send(new StartImageScanCommand({ repositoryName, imageId: { imageDigest: digest } }))
              setStatus(`Scanning ${label}…`)
              await waitUntilImageScanComplete({ client, maxWaitTime: 120 }, { repositoryName, imageId: { imageDigest: digest } })
              findingsDigest = digest
              setStatus(`Scan of ${label} complete`)
            }),
            image.imageScanStatus !== undefined &&
              button(`Findings of ${label}`, 'Findings', imageActions, async () => {
                findingsDigest = digest
              }),
            button(`Delete image ${label}`, 'Delete', imageActions, async () => {
              const { failures } = await client.send(new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageDigest: digest }] }))
              const failure = failures?.[0]
              if (failure !== undefined) throw new Error(`${failure.failureCode}: ${failure.failureReason}`)
              setStatus(`Deleted image ${label}`)
            }, { confirm: true }),
          ),
        )
      }),
    )
  }

  function renderFindings(repositoryName: string, findings: View['findings']): void {
    const section = byId('findings')
    section.hidden = findings === undefined
    if (findings === undefined) return
    const { image, response, list } = findings
    const name = `${repositoryName}:${image.imageTags?.[0] ?? shortDigest(image.imageDigest)}`
    byId('findings-title').textContent = `Scan findings for ${name}`
    const status = response.imageScanStatus?.status ?? 'PENDING'
    const counts = response.imageScanFindings?.findingSeverityCounts ?? {}
    const bySeverity = SEVERITIES.filter((severity) => (counts[severity] ?? 0) > 0).map((severity) => `${counts[severity]} ${severity}`)
    byId('findings-summary').textContent = [
      `Scan ${status}`,
      response.imageScanFindings?.imageScanCompletedAt && `completed ${formatDate(response.imageScanFindings.imageScanCompletedAt)}`,
      `${list.length} ${list.length === 1 ? 'finding' : 'findings'}${bySeverity.length > 0 ? ` (${bySeverity.join(', ')})` : ''}`,
    ]
      .filter(Boolean)
      .join(' · ')
    const rank = (finding: ImageScanFinding) => SEVERITIES.indexOf(finding.severity as (typeof SEVERITIES)[number])
    byId('findings-table').querySelector('tbody')!.replaceChildren(
      ...list.toSorted((a, b) => rank(a) - rank(b)).map((finding) => {
        const attribute = (key: string) => finding.attributes?.find((candidate) => candidate.key === key)?.value
        return h(
          'tr',
          {},
          h('td', { className: 'nowrap' }, finding.uri ? h('a', { href: finding.uri, target: '_blank', rel: 'noopener' }, finding.name ?? '') : (finding.name ?? '')),
          h('td', {}, h('span', { className: `severity ${finding.severity ?? ''}` }, finding.severity ?? '')),
          h('td', { className: 'mono' }, [attribute('package_name'), attribute('package_version')].filter(Boolean).join(' ')),
          h('td', {}, finding.description ?? ''),
        )
      }),
    )
  }

  function renderLifecycle(repositoryName: string, stored: string | undefined): void {
    const editor = byId<HTMLTextAreaElement>('lifecycle-text')
    // Keep what the user is typing; another tab's change to the same policy does not overwrite it.
    if (editorRepository !== repositoryName || !editorDirty) {
      editor.value = stored === undefined ? '' : pretty(stored)
      editorRepository = repositoryName
      editorDirty = false
    }
    byId('lifecycle-state').textContent =
      stored === undefined
        ? 'No lifecycle policy: images are kept until deleted. Start from the example.'
        : 'A lifecycle policy is saved for this repository.'
  }

  /** Reads and renders; calls during a refresh coalesce into one more refresh after it. */
  let refreshing: Promise<void> | undefined
  let again = false
  // The banner also shows action errors: a refresh clears only the error a refresh put there.
  let refreshFailed = false
  function refresh(): Promise<void> {
    if (refreshing !== undefined) {
      again = true
      return refreshing
    }
    refreshing = (async () => {
      do {
        again = false
        try {
          render(await read())
          if (refreshFailed) showError(byId('error'), undefined)
          refreshFailed = false
        } catch (error) {
          showError(byId('error'), error)
          refreshFailed = true
        }
      } while (again)
      refreshing = undefined
    })()
    return refreshing
  }

  let actionsRunning = 0
  /** Runs an action started by the user: the buttons of `scope` wait, errors show in its error slot, then the view refreshes. */
  async function act(scope: ActionScope, action: () => Promise<void>): Promise<void> {
    const controls = [...scope.controls.querySelectorAll('button')]
    for (const control of controls) control.disabled = true
    showError(scope.errors, undefined)
    actionsRunning++
    try {
      await action()
    } catch (error) {
      showError(scope.errors, error)
    } finally {
      actionsRunning--
      for (const control of controls) control.disabled = false
      await refresh()
    }
  }

  /** A table-row button; with `confirm`, a destructive one that asks for a second click first. */
  function button(label: string, text: string, scope: ActionScope, action: () => Promise<void>, { confirm = false } = {}) {
    const element = h('button', { type: 'button', ariaLabel: label, className: confirm ? 'danger' : '' }, text)
    element.addEventListener('click', () => {
      if (confirm && element.dataset['armed'] === undefined) {
        element.dataset['armed'] = 'true'
        element.textContent = 'Confirm'
        element.ariaLabel = `Confirm: ${label}`
        return
      }
      void act(scope, action)
    })
    return element
  }

  const formScope = (form: HTMLFormElement): ActionScope => ({ controls: form, errors: form.querySelector<HTMLElement>('.error')! })
  const repositoryActions: ActionScope = { controls: byId('repositories'), errors: byId('error') }
  const imageActions: ActionScope = { controls: byId('images'), errors: byId('images-error') }

  const createForm = byId<HTMLFormElement>('create-repository')
  createForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(createForm)
    const repositoryName = String(data.get('repositoryName')).trim()
    void act(formScope(createForm), async () => {
      await client.send(
        new CreateRepositoryCommand({
          repositoryName,
          imageTagMutability: String(data.get('imageTagMutability')) as 'MUTABLE' | 'IMMUTABLE',
          imageScanningConfiguration: { scanOnPush: data.get('scanOnPush') !== null },
        }),
      )
      ;(createForm.elements.namedItem('repositoryName') as HTMLInputElement).value = ''
      setStatus(`Created repository ${repositoryName}`)
      location.hash = hashOf(repositoryName)
    })
  })

  const pushForm = byId<HTMLFormElement>('push-image')
  pushForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const repositoryName = repositoryFromHash()
    const imageTag = String(new FormData(pushForm).get('imageTag')).trim()
    if (repositoryName === undefined) return
    void act(formScope(pushForm), async () => {
      setStatus(`Pushing ${repositoryName}:${imageTag || '(untagged)'}…`)
      const image = await pushGeneratedImage(client, repositoryName, imageTag)
      setStatus(`Pushed ${repositoryName}${imageTag ? `:${imageTag}` : ''} (${shortDigest(image.imageId?.imageDigest)})`)
    })
  })

  const lifecycleForm = byId<HTMLFormElement>('lifecycle')
  const editor = byId<HTMLTextAreaElement>('lifecycle-text')
  editor.addEventListener('input', () => {
    editorDirty = true
  })
  lifecycleForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const repositoryName = repositoryFromHash()
    if (repositoryName === undefined) return
    void act(formScope(lifecycleForm), async () => {
      await client.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: editor.value }))
      editorDirty = false
      setStatus(`Saved the lifecycle policy of ${repositoryName}`)
    })
  })
  byId('lifecycle-example').addEventListener('click', () => {
    editor.value = JSON.stringify(EXAMPLE_POLICY, null, 2)
    editorDirty = true
  })
  byId('lifecycle-delete').addEventListener('click', () => {
    const repositoryName = repositoryFromHash()
    if (repositoryName === undefined) return
    void act(formScope(lifecycleForm), async () => {
      await client.send(new DeleteLifecyclePolicyCommand({ repositoryName }))
      editorDirty = false
      setStatus(`Deleted the lifecycle policy of ${repositoryName}`)
    })
  })

  byId('reset').addEventListener('click', () => {
    void act({ controls: byId('reset').parentElement!, errors: byId('error') }, async () => {
      await ecr.reset()
      location.hash = ''
      setStatus('Registry reset: every repository and image is gone')
    })
  })

  byId('sample-data').addEventListener('click', () => {
    void act({ controls: byId('no-repositories'), errors: byId('error') }, async () => {
      const context = { region }
      await ecr.seed.image('sample/web', { tag: 'v1.0.0', context })
      await ecr.seed.image('sample/web', { tag: 'latest', context })
      await ecr.seed.multiPlatformImage('sample/api', { tag: '2.3.1', context })
      location.hash = hashOf('sample/web')
      setStatus('Loaded sample data')
    })
  })

  window.addEventListener('hashchange', () => {
    findingsDigest = undefined
    void refresh()
  })

  ecr.on('change', ({ origin, cleared }) => {
    if (origin === 'external') setStatus(cleared ? 'The registry was reset in another tab' : 'Updated from another tab')
    // A push is a dozen calls: this tab's own actions refresh once, when they are done.
    else if (actionsRunning > 0) return
    void refresh()
  })

  byId('where').textContent = `Account ${ecr.accountId} · ${region} · ${storageLabel}`
  void refresh().then(() => {
    document.body.dataset['ready'] = 'true'
    if (byId('status').textContent === '') setStatus('Ready')
  })
}

function scanSummary(image: ImageDetail): string {
  const status = image.imageScanStatus?.status
  if (status === undefined) return 'Not scanned'
  const counts = image.imageScanFindingsSummary?.findingSeverityCounts
  if (counts === undefined) return status
  const parts = SEVERITIES.filter((severity) => (counts[severity] ?? 0) > 0).map((severity) => `${counts[severity]} ${severity.toLowerCase()}`)
  return `${status} · ${parts.length > 0 ? parts.join(', ') : 'no findings'}`
}

function showError(slot: HTMLElement, error: unknown): void {
  slot.hidden = error === undefined
  slot.textContent = error === undefined ? '' : describeError(error)
}

/** Policies are shown indented; text that is not JSON is shown as it is. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
