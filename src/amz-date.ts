const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/** SigV4's `YYYYMMDDTHHMMSSZ` of an epoch-millisecond time (to the second). */
export function formatAmzDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

/** The epoch-millisecond time of a SigV4 `YYYYMMDDTHHMMSSZ`, or `undefined` if it is not one. */
export function parseAmzDate(text: string): number | undefined {
  const match = AMZ_DATE.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hours, minutes, seconds] = match.map(Number) as number[]
  return Date.UTC(year!, month! - 1, day!, hours!, minutes!, seconds!)
}
