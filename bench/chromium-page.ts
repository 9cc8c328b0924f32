import type { Browser } from 'playwright-core'
import { afterAll } from 'vitest'
import { servePage } from '../test/e2e/served-page.js'

/** A bench page served and a browser to open it in; `pageErrors` collects what the pages throw. */
export interface ChromiumPage {
  url: string
  browser: Browser
  pageErrors: string[]
}

/**
 * The page in `root`, built and served, and Chromium (`servePage`), all closed after the calling
 * bench file; errors thrown in any page (collected in `pageErrors`) fail it.
 */
export async function chromiumPage(root: URL, { serviceWorker = false } = {}): Promise<ChromiumPage> {
  const page = await servePage(root, { serviceWorker })
  const pageErrors: string[] = []
  afterAll(async () => {
    await page.close()
    if (pageErrors.length > 0) throw new Error(`errors in the pages:\n${pageErrors.join('\n')}`)
  })
  return { url: page.url, browser: page.browser, pageErrors }
}
