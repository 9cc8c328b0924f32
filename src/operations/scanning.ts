import type { ImageScanFindingsSummary, ImageScanStatus } from '@aws-sdk/client-ecr'
import type { ImageRecord } from '../state/records.js'
import type { FoundRepository, OperationContext } from './context.js'

// Placeholder until the scanning family lands: PutImage and DescribeImages call these two.

/** The image record to store after a push: with a scan started when scan-on-push applies. */
export function scanOnPush(_ctx: OperationContext, _found: FoundRepository, image: ImageRecord): ImageRecord {
  return image
}

/** What DescribeImages reports of an image's latest scan. */
export function scanDetails(
  _ctx: OperationContext,
  _image: ImageRecord,
): { imageScanStatus?: ImageScanStatus; imageScanFindingsSummary?: ImageScanFindingsSummary } {
  return {}
}
