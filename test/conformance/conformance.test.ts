import { afterAll, describe, expect, it } from 'vitest'
import { createEcr, type Ecr } from '../../src/index.js'
import { generateCases, type Case, type Input } from './generate-cases.js'
import { createSuiteEngine, send, sendAttached, through, type SuiteEngine, type WireResponse } from './harness.js'
import { errorShape, modelOperations, type ModelOperation } from './model.js'
import { shapeProblems } from './output-shape.js'
import { REPOSITORY, scenarios, type Named, type Scenario } from './scenarios.js'

// The model-driven conformance suite (decisions/conformance-suite.md): for every operation the
// engine implements, valid inputs must succeed with the output shape of the model, invalid ones
// must get ECR's exact error and change nothing, and every error must be one the model declares.
// Under FAKE_ECR_TRANSPORT=attached the same cases go through an SDK client with the engine
// attached (attachEcr), except those about the wire itself (raw bodies, the request size cap).

/** Errors of AWS's JSON front end, which no operation declares. */
const PROTOCOL_ERRORS = new Set(['SerializationException', 'UnknownOperationException', 'RequestEntityTooLargeException'])

interface Plan {
  operation: ModelOperation
  scenario: Scenario
  engine: SuiteEngine
  cases: Case[]
  /** Scenario case ids that name no generated case (a typo would silently test nothing). */
  strayAdjustments: string[]
}

interface Tally {
  valid: { passed: number; total: number }
  invalid: { passed: number; total: number }
  notApplicable: number
  codes: Set<string>
  undeclared: Set<string>
}

const implemented = new Set<string>(createEcr().operations)
const tallies = new Map<string, Tally>()

async function prepare(ecr: Ecr, scenario: Scenario, repositoryName: string): Promise<Named> {
  return { ...(await scenario.setup?.(ecr, repositoryName)), repositoryName }
}

/** The generated cases of an operation, the scenario's refusals, and its notes on what does not apply. */
async function plan(operation: ModelOperation, scenario: Scenario): Promise<Plan> {
  const engine = createSuiteEngine(scenario.engine)
  await engine.restart()
  const fixture = await prepare(engine.ecr, scenario, REPOSITORY)
  const cases = generateCases(operation, scenario.inputs(fixture))
  const adjustments = scenario.cases?.(fixture) ?? {}
  for (const kase of cases) {
    const adjustment = adjustments[kase.id]
    if (typeof adjustment === 'string') kase.notApplicable = adjustment
    else if (through === 'attached') kase.notApplicable ??= wireOnly(kase)
  }
  for (const [id, refusal] of Object.entries(scenario.refusals?.(fixture) ?? {})) {
    cases.push({
      id,
      column: 'invalid',
      base: 0,
      edit: (input) => input,
      expect: { kind: 'refusal', code: refusal.code, ...(refusal.message !== undefined && { message: refusal.message }) },
    })
  }
  const ids = new Set(cases.map((kase) => kase.id))
  return { operation, scenario, engine, cases, strayAdjustments: Object.keys(adjustments).filter((id) => !ids.has(id)) }
}

const plans: Plan[] = []
for (const operation of modelOperations.values()) {
  const scenario = scenarios[operation.name as keyof typeof scenarios]
  if (implemented.has(operation.name) && scenario !== undefined) plans.push(await plan(operation, scenario))
}

/** Why a case tests only the wire (so not an attached client), if it does. */
function wireOnly(kase: Case): string | undefined {
  if (kase.body !== undefined) return 'a raw body, and an SDK client sends the JSON of an input'
  if (kase.expect.kind === 'error' && kase.expect.body['__type'] === 'RequestEntityTooLargeException') return 'the request size cap is the wire’s'
  return undefined
}

/** Sets the engine up afresh for a case and builds its request body (the case's, or the scenario input's). */
async function arrange(plan: Plan, kase: Case, change: boolean): Promise<string> {
  const { scenario, engine } = plan
  await engine.restart()
  const fixture = await prepare(engine.ecr, scenario, kase.repositoryName ?? REPOSITORY)
  const base = structuredClone(scenario.inputs(fixture)[kase.base]!)
  if (!change) return JSON.stringify(base)
  if (kase.body !== undefined) return kase.body
  let input: Input = kase.edit(base)
  const adjustment = scenario.cases?.(fixture)[kase.id]
  if (typeof adjustment === 'function') input = adjustment(input)
  const refusal = kase.expect.kind === 'refusal' ? scenario.refusals?.(fixture)[kase.id] : undefined
  if (refusal !== undefined) input = refusal.edit(input)
  return JSON.stringify(input)
}

/** An error response's status, code and message. */
function summary(response: WireResponse) {
  const body = response.body as Record<string, unknown>
  return { status: response.status, code: errorCode(response), message: body['message'] ?? body['Message'] }
}

/** The error code of a response (`__type` without Coral's namespace), if it is an error. */
function errorCode(response: WireResponse): string | undefined {
  const type = (response.body as { __type?: unknown } | undefined)?.__type
  return typeof type === 'string' ? type.slice(type.indexOf('#') + 1) : undefined
}

async function runCase(plan: Plan, kase: Case, tally: Tally): Promise<void> {
  const { ecr } = plan.engine
  const name = plan.operation.name
  const call = async (body: string) => {
    const response = await (through === 'attached' ? sendAttached : send)(ecr, name, body)
    const code = errorCode(response)
    if (code !== undefined) {
      tally.codes.add(code)
      if (!PROTOCOL_ERRORS.has(code) && !plan.operation.errors.includes(code)) tally.undeclared.add(code)
    }
    return response
  }

  const expected = kase.expect
  if (expected.kind === 'same-as-given') {
    const given = await call(await arrange(plan, kase, false))
    const givenState = ecr.snapshot()
    const varied = await call(await arrange(plan, kase, true))
    expect(given.status).toBe(200)
    expect(varied).toEqual(given)
    expect(ecr.snapshot()).toEqual(givenState)
    expect(Object.prototype).not.toHaveProperty('polluted')
    return
  }

  const body = await arrange(plan, kase, true)
  const before = ecr.snapshot()
  const response = await call(body)
  switch (expected.kind) {
    case 'success':
      expect(response, 'a valid input must succeed').toMatchObject({ status: 200 })
      expect(shapeProblems(plan.operation.output, response.body)).toEqual([])
      return
    case 'error':
      // An SDK exception keeps the code and message, not how the body spelled them (`Message`, Coral's namespace).
      if (through === 'attached') expect(summary(response)).toEqual(summary({ status: expected.status, body: expected.body }))
      else expect(response).toEqual({ status: expected.status, body: expected.body })
      break
    case 'refusal': {
      const { __type: _type, ...members } = response.body as Record<string, unknown>
      expect({ status: response.status, code: errorCode(response) }).toEqual({ status: 400, code: expected.code })
      if (expected.message !== undefined) expect(members['message']).toBe(expected.message)
      // The body carries only what the error's shape in the model has.
      expect(shapeProblems(errorShape(expected.code)!, members)).toEqual([])
      break
    }
  }
  expect(ecr.snapshot(), 'a refused call changes nothing').toEqual(before)
}

for (const plan of plans) {
  describe(plan.operation.name, () => {
    const tally: Tally = {
      valid: { passed: 0, total: 0 },
      invalid: { passed: 0, total: 0 },
      notApplicable: 0,
      codes: new Set(),
      undeclared: new Set(),
    }
    tallies.set(plan.operation.name, tally)

    it('its scenario adjusts only cases the generator makes', () => {
      expect(plan.strayAdjustments).toEqual([])
    })

    for (const kase of plan.cases) {
      if (kase.notApplicable !== undefined) {
        tally.notApplicable++
        it.skip(`${kase.column}: ${kase.id} (does not apply: ${kase.notApplicable})`, () => {})
        continue
      }
      tally[kase.column].total++
      it(`${kase.column}: ${kase.id}`, async () => {
        await runCase(plan, kase, tally)
        tally[kase.column].passed++
      })
    }

    it('answers only with errors the model declares for the operation', () => {
      expect([...tally.undeclared]).toEqual([])
    })
  })
}

for (const name of modelOperations.keys()) {
  if (!implemented.has(name)) it.todo(`${name}: not covered (not implemented)`)
}

it('has a scenario for every implemented operation', () => {
  const missing = [...implemented].filter((name) => scenarios[name as keyof typeof scenarios] === undefined)
  expect(missing).toEqual([])
})

afterAll(() => {
  const rows = [['operation', 'valid', 'invalid', 'n/a', 'errors audited']]
  for (const name of modelOperations.keys()) {
    const tally = tallies.get(name)
    if (tally === undefined) {
      rows.push([name, 'not covered', implemented.has(name) ? '(no scenario)' : '(not implemented)', '', ''])
      continue
    }
    const codes = [...tally.codes].filter((code) => !PROTOCOL_ERRORS.has(code))
    const audit = tally.undeclared.size === 0 ? `${codes.length} code${codes.length === 1 ? '' : 's'}, all declared` : `UNDECLARED: ${[...tally.undeclared].join(', ')}`
    rows.push([
      name,
      `${tally.valid.passed}/${tally.valid.total}`,
      `${tally.invalid.passed}/${tally.invalid.total}`,
      String(tally.notApplicable),
      audit,
    ])
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd())
  const way = through === 'attached' ? 'an SDK client with the engine attached' : 'the AWS JSON wire'
  console.log(`Conformance (model-driven, through ${way})\n${lines.join('\n')}`)
})
